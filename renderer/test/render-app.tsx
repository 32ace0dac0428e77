import { act, cleanup, render } from '@testing-library/react';
import { App } from '../src/components/App.js';
import { setApi } from '../src/api/client.js';
import { useApp } from '../src/state/app-store.js';
import { parseHash } from '../src/state/route.js';
import { clearSpanRecords } from '../src/components/timeline/use-span-record.js';
import { FakeApi, emptyData, type FakeData } from './fake-api.js';

let stubbed = false;

/** jsdom has no layout: give elements a size so the virtualized list renders rows. */
function stubLayout() {
  if (stubbed) return;
  stubbed = true;
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(Element.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(Element.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  HTMLCanvasElement.prototype.getContext = (() => null) as never;
}

export async function renderApp(hash: string, data: Partial<FakeData> = {}) {
  stubLayout();
  cleanup();
  clearSpanRecords();
  const fake = new FakeApi({ ...emptyData(), ...data });
  setApi(fake);
  window.location.hash = hash;
  useApp.setState({
    route: parseHash(hash),
    boxes: {},
    boxesLoaded: false,
    pulls: {},
    errors: [],
    helpOpen: false,
    engine: undefined,
  });
  const utils = render(<App />);
  // Let the startup calls (boxes, engine, info) settle.
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
  return { fake, ...utils };
}
