import type { TraceModel } from './trace-model.js';

export interface CriticalSegment {
  index: number;
  from: number;
  to: number;
}

export interface CriticalPath {
  /** 1 for spans that own time on the critical path. */
  onPath: Uint8Array;
  segments: CriticalSegment[];
}

/**
 * The chain of work that decided when each root finished: from a span's end,
 * step back through the child that finished last before that point, then the
 * one that finished before that child started, and so on; time not covered
 * by such a child belongs to the span itself. Explicit stack, no recursion.
 */
export function criticalPath(m: TraceModel, start: Float64Array, finish: Float64Array): CriticalPath {
  const n = m.size;
  const onPath = new Uint8Array(n);
  const segments: CriticalSegment[] = [];
  const stack: Array<[number, number]> = [];
  for (let r = 0; r < n; r = m.subtreeEnd[r]) stack.push([r, finish[r]]);
  const kids: number[] = [];
  while (stack.length) {
    const [v, limit] = stack.pop()!;
    let cursor = Math.min(finish[v], limit);
    kids.length = 0;
    for (let c = v + 1; c < m.subtreeEnd[v]; c = m.subtreeEnd[c]) kids.push(c);
    kids.sort((a, b) => finish[b] - finish[a]);
    onPath[v] = 1;
    for (const c of kids) {
      if (cursor <= start[v]) break;
      if (start[c] >= cursor) continue;
      const childEnd = Math.min(finish[c], cursor);
      if (childEnd < cursor) segments.push({ index: v, from: childEnd, to: cursor });
      stack.push([c, childEnd]);
      cursor = Math.max(start[c], start[v]);
    }
    if (cursor > start[v]) segments.push({ index: v, from: start[v], to: cursor });
  }
  return { onPath, segments };
}
