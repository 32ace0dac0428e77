import { useEffect, useState } from 'react';
import type { SpanRecord } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';

/** Spans recently shown in full, newest last: going back and forth between a few asks the core once. */
const CACHE_SIZE = 16;
const cache = new Map<string, SpanRecord>();

const keyOf = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

function remember(key: string, span: SpanRecord): void {
  cache.delete(key);
  cache.set(key, span);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
}

export interface SpanRecordState {
  span?: SpanRecord;
  error?: string;
}

/** One span in full (attributes, events, links, resource), fetched from the core on demand. */
export function useSpanRecord(traceId: string, spanId: string): SpanRecordState {
  const key = keyOf(traceId, spanId);
  const [state, setState] = useState<SpanRecordState & { key: string }>(() => ({ key, span: cache.get(key) }));
  useEffect(() => {
    const hit = cache.get(key);
    if (hit) {
      remember(key, hit);
      setState({ key, span: hit });
      return;
    }
    setState({ key });
    const ctl = new AbortController();
    call('traces:span', { traceId, spanId }, { signal: ctl.signal }).then(
      (span) => {
        remember(key, span);
        if (!ctl.signal.aborted) setState({ key, span });
      },
      (e) => !ctl.signal.aborted && setState({ key, error: errorInfo(e).message }),
    );
    return () => ctl.abort();
  }, [key, traceId, spanId]);
  // A state left from the previous span never shows under this one.
  return state.key === key ? state : { span: cache.get(key) };
}

/** Forgets every cached span (tests, or a trace store that changed underneath). */
export function clearSpanRecords(): void {
  cache.clear();
}
