/**
 * What the store drops when it is over budget: one decision, given each
 * trace's usage and the budgets, so a later per-box quota can reuse it with
 * its own budget and its own subset of traces.
 */

export interface TraceUsage {
  traceId: string;
  /** Span JSON bytes. */
  bytes: number;
  /** Write order: the smaller, the longer ago the trace was last written. */
  lastSeq: number;
  /** Wall clock of the last write (ms since epoch; 0 if unknown). */
  writtenMs: number;
}

export interface Budget {
  maxTraces: number;
  maxBytes: number;
}

export interface EvictionPolicy {
  /** Traces being written right now (the current write): never dropped. */
  writing: ReadonlySet<string>;
  /** Traces written within this long are being written too (an import in slices, a live box): never dropped. */
  activeMs: number;
  now: number;
}

/**
 * The traces to drop, least recently written first, until the rest fits the
 * budget. A trace being written is skipped even if that leaves the store over
 * budget for a while: a 1 GB import must not delete itself half way.
 */
export function chooseEvictions(traces: readonly TraceUsage[], budget: Budget, policy: EvictionPolicy): string[] {
  let n = traces.length;
  let bytes = 0;
  for (const t of traces) bytes += t.bytes;
  if (n <= budget.maxTraces && bytes <= budget.maxBytes) return [];
  const oldestFirst = [...traces].sort((a, b) => a.lastSeq - b.lastSeq);
  const out: string[] = [];
  for (const t of oldestFirst) {
    if (n <= budget.maxTraces && bytes <= budget.maxBytes) break;
    if (policy.writing.has(t.traceId)) continue;
    if (policy.activeMs > 0 && policy.now - t.writtenMs < policy.activeMs) continue;
    out.push(t.traceId);
    n--;
    bytes -= t.bytes;
  }
  return out;
}
