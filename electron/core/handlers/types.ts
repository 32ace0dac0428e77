/** What each handler module implements: one function per call and per stream of shared/api.ts. */
import type { ArgOf, Channel, ItemOf, ResultOf, StreamArgOf, StreamName } from '../../../shared/api.js';

/** A call's work; `signal` aborts when the client cancels or goes away. */
export type HandlerMap = {
  [C in Channel]: (arg: ArgOf<C>, opts: { signal: AbortSignal }) => Promise<ResultOf<C>>;
};

/** A stream's work: emits items until it resolves (the stream ended) or `signal` aborts (disposed). */
export type StreamMap = {
  [S in StreamName]: (arg: StreamArgOf<S>, emit: (item: ItemOf<S>) => void, signal: AbortSignal) => Promise<void>;
};

/** Resolves once `signal` aborts: the body of a stream that only ends when disposed. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
