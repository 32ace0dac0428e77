/** The Electron host's BoxscopeApi: the preload posts one MessagePort to the core per page load. */
import type { BoxscopeApi } from '../../../shared/api.js';
import { createWireClient } from '../../../shared/wire.js';

export function connectPortApi(win: Window = window): Promise<BoxscopeApi> {
  return new Promise((resolve) => {
    const onMessage = (e: MessageEvent) => {
      // Only the preload's message: same window, same origin, carrying a port.
      if (e.source !== win || e.origin !== win.location.origin || e.data !== 'boxscope:port') return;
      const port = e.ports[0];
      if (!port) return;
      win.removeEventListener('message', onMessage);
      const client = createWireClient();
      port.onmessage = (m) => client.receive(m.data);
      client.connected((m, t) => port.postMessage(m, t ?? []));
      resolve(client.api);
    };
    win.addEventListener('message', onMessage);
  });
}
