import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { serveWire, type CoreEntry } from '../../../electron/host-common/wire-server.js';
import { connectPortApi } from './port-client.js';

/** A window stand-in: the test plays the preload (and an attacker) posting to it. */
function fakeWindow() {
  const listeners = new Set<(e: unknown) => void>();
  const win = {
    location: { origin: 'app://boxscope' },
    addEventListener: (_: string, l: (e: unknown) => void) => listeners.add(l),
    removeEventListener: (_: string, l: (e: unknown) => void) => listeners.delete(l),
  };
  const post = (e: Record<string, unknown>) => listeners.forEach((l) => l({ source: win, ...e }));
  return { win: win as unknown as Window, post, listeners };
}

const core: CoreEntry = {
  call: async (channel) => (channel === 'app:info' ? { host: 'electron' } : undefined),
  listen: async () => {},
};

describe('connectPortApi', () => {
  it('takes the port only from its own window and origin, then calls the core over it', async () => {
    const { win, post, listeners } = fakeWindow();
    const pending = connectPortApi(win);
    const evil = new MessageChannel();
    post({ origin: 'https://evil.example', data: 'boxscope:port', ports: [evil.port1] });
    post({ origin: 'app://boxscope', data: 'boxscope:port', ports: [evil.port1], source: {} });
    post({ origin: 'app://boxscope', data: 'other', ports: [evil.port1] });
    expect(listeners.size).toBe(1);

    const { port1, port2 } = new MessageChannel();
    const session = serveWire(core, (m) => port2.postMessage(m));
    port2.on('message', (m) => session.receive(m));
    // The DOM port's shape: onmessage receives an event with `data`.
    const domPort = {
      set onmessage(h: (e: { data: unknown }) => void) {
        port1.on('message', (data) => h({ data }));
      },
      postMessage: (m: unknown) => port1.postMessage(m),
    };
    post({ origin: 'app://boxscope', data: 'boxscope:port', ports: [domPort] });
    const api = await pending;
    expect(listeners.size).toBe(0);
    await expect(api.call('app:info')).resolves.toEqual({ host: 'electron' });
    port1.close();
    evil.port1.close();
  });
});
