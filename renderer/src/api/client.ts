import type { ApiEvents, ArgOf, BoxscopeApi, Channel, EventName, ResultOf } from '../../../shared/api.js';
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';

declare global {
  interface Window {
    boxscope?: BoxscopeApi;
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

/** invoke with one argument shape for every channel; errors come back as ErrorInfo. */
export function call<C extends Channel>(channel: C, arg?: ArgOf<C>): Promise<ResultOf<C>> {
  const a = api() as unknown as { invoke(c: C, ...rest: unknown[]): Promise<ResultOf<C>> };
  return arg === undefined ? a.invoke(channel) : a.invoke(channel, arg);
}

export function listen<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return api().on(event, listener);
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
