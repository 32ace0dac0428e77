import type {
  ArgList,
  ArgOf,
  BoxscopeApi,
  CallOptions,
  Channel,
  ItemOf,
  ListenHandlers,
  ResultOf,
  StreamArgOf,
  StreamName,
} from '../../../shared/api.js';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';

declare global {
  interface Window {
    boxscope?: BoxscopeApi;
    /** Set by the Electron preload: the core's port arrives by a window message. */
    boxscopeHost?: {
      kind: 'electron';
      /** The path of a File on disk ('' when it has none), for the core to read it (traces:importFile). */
      pathForFile?(file: File): string;
    };
  }
}

let current: BoxscopeApi | undefined;

export function setApi(api: BoxscopeApi): void {
  current = api;
}

export function api(): BoxscopeApi {
  if (!current) throw new Error('Boxscope API not connected');
  return current;
}

/** A call to the core; `opts.signal` cancels it there. Errors come back as ErrorInfo-shaped errors. */
export function call<C extends Channel>(channel: C, ...args: ArgList<ArgOf<C>, CallOptions>): Promise<ResultOf<C>> {
  return api().call(channel, ...args);
}

/** A stream from the core; the returned function disposes it (the core stops the work). */
export function listen<S extends StreamName>(
  stream: S,
  arg: StreamArgOf<S>,
  handlers: ListenHandlers<ItemOf<S>> | ((item: ItemOf<S>) => void),
): () => void {
  return api().listen(stream, arg, handlers);
}

export function errorInfo(err: unknown): ErrorInfo {
  return toErrorInfo(err);
}

const reconnectListeners = new Set<() => void>();

/** Runs `fn` whenever the core's connection comes back after a drop (browser mode), to reload what may be stale. */
export function onReconnect(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => void reconnectListeners.delete(fn);
}

export function notifyReconnect(): void {
  for (const fn of reconnectListeners) fn();
}
