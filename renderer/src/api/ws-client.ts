/**
 * window.boxscope for browser mode: the BoxscopeApi over the WebSocket that
 * `boxscope serve` offers at /api. The page URL carries `?token=…`; the same
 * token opens the socket. It carries the wire protocol of shared/wire.ts.
 * Drops are healed by reconnecting: calls made while disconnected wait for
 * the next connection, open streams are asked for again on it.
 */
import type { BoxscopeApi } from '../../../shared/api.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { createWireClient, decodeFrame, encodeFrame } from '../../../shared/wire.js';

export interface BrowserApiOptions {
  /** Defaults to the page's own location. */
  location?: Pick<Location, 'protocol' | 'host' | 'search'>;
  /** Injected in tests; defaults to the global WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
  /** Called after a dropped connection is back: events pushed meanwhile were lost. */
  onReconnect?: () => void;
}

export function apiUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api?token=${encodeURIComponent(token)}`;
}

/** Browser mode's trace upload (POST, the file as the body), with the page's token. */
export function importUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>, fileName: string): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  return `${loc.protocol}//${loc.host}/api/traces/import?token=${encodeURIComponent(token)}&name=${encodeURIComponent(fileName)}`;
}

export function connectBrowserApi(opts: BrowserApiOptions = {}): Promise<BoxscopeApi> {
  const loc = opts.location ?? window.location;
  const WS = opts.WebSocketImpl ?? WebSocket;
  const url = apiUrl(loc);
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  // Every stream but none has side effects, so all are asked for again on a new socket (log follows included).
  const client = createWireClient();
  let attempt = 0;

  return new Promise((resolveFirst, rejectFirst) => {
    let first = true;
    const connect = () => {
      const ws = new WS(url);
      ws.binaryType = 'arraybuffer';
      let open = false;
      ws.onopen = () => {
        open = true;
        attempt = 0;
        client.connected((msg) => ws.send(encodeFrame(msg) as string));
        if (first) {
          first = false;
          resolveFirst(client.api);
        } else opts.onReconnect?.();
      };
      // A close always follows an error; the close handler decides what to do.
      ws.onerror = () => {};
      ws.onmessage = (ev: MessageEvent) => {
        try {
          client.receive(decodeFrame(ev.data as string | ArrayBuffer));
        } catch {
          // Not a frame of the protocol: nothing waits for it.
        }
      };
      ws.onclose = (ev) => {
        // Calls in flight lose their replies with the socket; the caller decides whether to retry.
        if (open) client.disconnected();
        if (first && !open && attempt >= 2) {
          // Never connected: the caller shows this error; retrying would only hide it.
          first = false;
          rejectFirst(
            new BoxscopeError(
              'INTERNAL',
              ev.code === 1006
                ? 'Cannot reach Boxscope: is `boxscope serve` running, and did you open the full URL it printed (with ?token=)?'
                : `Boxscope closed the connection (${ev.code}).`,
            ),
          );
          return;
        }
        attempt++;
        setTimeout(connect, Math.min(maxBackoff, 200 * 2 ** Math.min(attempt, 5)));
      };
    };
    connect();
  });
}
