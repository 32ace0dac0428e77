/**
 * window.boxscope for browser mode: the BoxscopeApi over the WebSocket that
 * `boxscope serve` offers at /api. The page URL carries `?token=…`; the same
 * token opens the socket. Drops are healed by reconnecting; calls made while
 * disconnected wait for the next connection.
 */
import type { ApiEvents, BoxscopeApi, Channel, EventName } from '../../../shared/api.js';
import { BoxscopeError, fromErrorInfo, type ErrorInfo } from '../../../shared/errors.js';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ErrorInfo };
type Push = { event: EventName; payload: unknown };

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

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

export function connectBrowserApi(opts: BrowserApiOptions = {}): Promise<BoxscopeApi> {
  const loc = opts.location ?? window.location;
  const WS = opts.WebSocketImpl ?? WebSocket;
  const url = apiUrl(loc);
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let open = false;
  let attempt = 0;
  // The server ties a log follow to the socket that asked for it, so a new socket asks again.
  const followed = new Map<string, number>();
  const countFollow = (boxId: string, delta: number) => {
    const n = (followed.get(boxId) ?? 0) + delta;
    if (n > 0) followed.set(boxId, n);
    else followed.delete(boxId);
  };

  const api: BoxscopeApi = {
    invoke(channel: Channel, ...rest: unknown[]) {
      const id = nextId++;
      const text = JSON.stringify({ id, channel, arg: rest[0] });
      const reply = new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (open && socket && socket.readyState === WS.OPEN) socket.send(text);
        else queue.push(text);
      });
      const boxId = (rest[0] as { boxId?: unknown } | undefined)?.boxId;
      if (typeof boxId === 'string' && channel === 'boxes:followLogs') {
        countFollow(boxId, 1);
        reply.catch(() => countFollow(boxId, -1));
      } else if (typeof boxId === 'string' && channel === 'boxes:unfollowLogs') countFollow(boxId, -1);
      return reply as never;
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
  };

  const onMessage = (data: string) => {
    let msg: Reply | Push;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) {
        try {
          l(msg.payload);
        } catch (err) {
          console.error('boxscope event listener failed', err);
        }
      }
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(fromErrorInfo(msg.error));
  };

  return new Promise((resolveFirst, rejectFirst) => {
    let first = true;
    const connect = () => {
      const ws = new WS(url);
      socket = ws;
      ws.onopen = () => {
        open = true;
        attempt = 0;
        // Replies to these have no pending call and are dropped.
        if (!first)
          for (const boxId of followed.keys())
            ws.send(JSON.stringify({ id: nextId++, channel: 'boxes:followLogs', arg: { boxId } }));
        for (const text of queue.splice(0)) ws.send(text);
        if (first) {
          first = false;
          resolveFirst(api);
        } else opts.onReconnect?.();
      };
      // A close always follows an error; the close handler decides what to do.
      ws.onerror = () => {};
      ws.onmessage = (ev) => onMessage(typeof ev.data === 'string' ? ev.data : String(ev.data));
      ws.onclose = (ev) => {
        const wasOpen = open;
        open = false;
        // A reply to a call in flight is lost with the socket; the caller decides whether to retry.
        for (const [id, p] of pending) {
          if (!queue.some((t) => t.startsWith(`{"id":${id},`))) {
            pending.delete(id);
            p.reject(new BoxscopeError('INTERNAL', 'Lost the connection to Boxscope; try again.'));
          }
        }
        if (first && !wasOpen && attempt >= 2) {
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
