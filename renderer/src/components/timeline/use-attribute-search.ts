import { useEffect } from 'react';
import { isEmptyQuery, needsAttributes, parseQuery } from '../../../../shared/trace-query.js';
import { call } from '../../api/client.js';
import { useTraceView } from '../../state/trace-view-store.js';

/** The search box already waits for typing to pause (and Enter applies at once): ask on the next turn. */
const DEBOUNCE_MS = 0;

/**
 * Asks the core for the spans whose attributes answer the query's text and
 * KEY=VALUE terms, whenever the query needs it; a newer query cancels the
 * call in flight. The local matches show meanwhile (see model/filter.ts).
 */
export function useAttributeSearch(traceId: string): void {
  const query = useTraceView((s) => s.query);
  const storedDone = useTraceView((s) => s.feed?.storedDone ?? false);
  useEffect(() => {
    const q = parseQuery(query);
    if (isEmptyQuery(q) || !needsAttributes(q)) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      call('traces:search', { traceId, query }, { signal: ctl.signal }).then(
        (result) => !ctl.signal.aborted && useTraceView.getState().setCoreResult(query, result),
        () => !ctl.signal.aborted && useTraceView.getState().setCoreResult(query, null),
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
    // Asked again once the store's spans are all in: an earlier answer may have missed some.
  }, [traceId, query, storedDone]);
}
