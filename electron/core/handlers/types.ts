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

/** The body of a stream of core events: subscribed until the client disposes it. */
export async function relayUntilAborted(subscribe: () => () => void, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  const off = subscribe();
  try {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    off();
  }
}
