/**
 * The timeline's reads of one trace: `traces:columns` (the stored spans as
 * column batches, then live ones), `traces:span` (one span in full) and
 * `traces:search`. Column batches are read a page at a time from the store's
 * query columns, so serving a 1M-span trace keeps one page in memory.
 */
import { BoxscopeError } from '../../../shared/errors.js';
import { ColumnWriter, columnInputOf, type ColumnSpanInput } from '../../../shared/trace-columns.js';
import type { CoreContext } from '../contracts.js';
import type { HandlerMap, StreamMap } from './types.js';

export interface ColumnStreamOptions {
  /** Spans per stored batch. */
  pageSize?: number;
  /** Live spans are coalesced into at most one batch per this many ms. */
  liveMs?: number;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** Serves `traces:columns` until `signal` aborts. */
export async function serveColumns(
  ctx: Pick<CoreContext, 'store' | 'events'>,
  traceId: string,
  emit: (item: ArrayBuffer) => void,
  signal: AbortSignal,
  { pageSize = 8192, liveMs = 50 }: ColumnStreamOptions = {},
): Promise<void> {
  if (signal.aborted) return;
  let pending: ColumnSpanInput[] = [];
  let storedDone = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const spans = pending;
    pending = [];
    for (let i = 0; i < spans.length && !signal.aborted; i += pageSize) {
      const w = new ColumnWriter(traceId, 'live');
      for (let k = i; k < Math.min(spans.length, i + pageSize); k++) w.add(spans[k]!);
      emit(w.finish().buffer);
    }
  };
  const schedule = () => {
    if (storedDone && !timer && pending.length && !signal.aborted) timer = setTimeout(flush, liveMs);
  };
  // Subscribed before the stored read, so a span written meanwhile is in one or the other (or both: the
  // timeline keeps one per span id).
  const off = ctx.events.on('spans:added', (e) => {
    if (e.traceId !== traceId) return;
    for (const s of e.spans) pending.push(columnInputOf(s));
    schedule();
  });
  const stopped = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  try {
    const reader = ctx.store.columns(traceId);
    let total = 0;
    for (;;) {
      if (signal.aborted) return;
      const { spans, done } = reader.next(pageSize);
      total += spans.length;
      const w = new ColumnWriter(traceId, 'stored');
      for (const s of spans) w.add(s);
      emit(w.finish(done ? { storedDone: true, storedTotal: total } : {}).buffer);
      if (done) break;
      // The transport gets a turn to write this batch out before the next is read.
      await nextTurn();
    }
    storedDone = true;
    if (pending.length) flush();
    await stopped;
  } finally {
    off();
    if (timer) clearTimeout(timer);
  }
}

export function traceColumnHandlers(
  ctx: Pick<CoreContext, 'store'>,
): Pick<HandlerMap, 'traces:span' | 'traces:search'> {
  return {
    'traces:span': async ({ traceId, spanId }) => {
      const span = ctx.store.getSpan(traceId, spanId);
      if (!span) throw new BoxscopeError('TRACE_NOT_FOUND', `No span ${spanId} in trace ${traceId}`, { traceId });
      return span;
    },
    'traces:search': async ({ traceId, query, limit = 100_000 }, { signal }) => {
      if (!ctx.store.hasTrace(traceId))
        throw new BoxscopeError('TRACE_NOT_FOUND', `No spans stored for trace ${traceId}`, { traceId });
      return ctx.store.searchSpans(traceId, query, limit, signal);
    },
  };
}

export function traceColumnStreams(ctx: Pick<CoreContext, 'store' | 'events'>): Pick<StreamMap, 'traces:columns'> {
  return {
    'traces:columns': ({ traceId }, emit, signal) => serveColumns(ctx, traceId, emit, signal),
  };
}
