import type { SpanRecord } from '../../../shared/models.js';
import { nsToMsParts } from './time.js';

/**
 * A trace laid out in preorder: index i is the i-th row of the fully
 * expanded tree, and the subtree of i is the range [i, subtreeEnd[i]).
 * Everything is built with loops and explicit stacks so that deep chains and
 * wide fan-outs of 100k spans never hit a recursion limit.
 */
export interface TraceModel {
  traceId: string;
  spans: SpanRecord[];
  size: number;
  parent: Int32Array;
  depth: Int32Array;
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** Milliseconds relative to `baseMs`, as recorded. */
  start: Float64Array;
  finish: Float64Array;
  /** Epoch milliseconds of relative time 0. */
  baseMs: number;
  /** Set on spans whose parent is not in the trace (yet). */
  orphan: Uint8Array;
  orphanCount: number;
  indexById: Map<string, number>;
  services: string[];
  serviceOf: Uint16Array;
  /** Preorder indexes of spans with status error. */
  errors: Int32Array;
  maxDepth: number;
}

export function buildTraceModel(input: readonly SpanRecord[]): TraceModel {
  const dedup = new Map<string, SpanRecord>();
  for (const s of input) dedup.set(s.spanId, s);
  const raw = dedup.size === input.length ? (input as SpanRecord[]) : [...dedup.values()];
  const n = raw.length;

  const wholeMs = new Float64Array(n);
  const fracStart = new Float64Array(n);
  const wholeEnd = new Float64Array(n);
  const fracEnd = new Float64Array(n);
  let base = Infinity;
  for (let i = 0; i < n; i++) {
    const [ws, fs] = nsToMsParts(raw[i].startTimeUnixNano);
    const [we, fe] = nsToMsParts(raw[i].endTimeUnixNano);
    wholeMs[i] = ws;
    fracStart[i] = fs;
    wholeEnd[i] = we;
    fracEnd[i] = fe;
    if (ws < base) base = ws;
  }
  if (!Number.isFinite(base)) base = 0;
  const rawStart = new Float64Array(n);
  const rawEnd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rawStart[i] = wholeMs[i] - base + fracStart[i];
    // A span that has not ended (or ended before it began) is drawn as a point.
    rawEnd[i] = Math.max(rawStart[i], wholeEnd[i] - base + fracEnd[i]);
  }

  const idx = new Map<string, number>();
  for (let i = 0; i < n; i++) idx.set(raw[i].spanId, i);
  const rawParent = new Int32Array(n).fill(-1);
  const isOrphan = new Uint8Array(n);
  const kids = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const pid = raw[i].parentSpanId;
    if (!pid) continue;
    const p = idx.get(pid);
    if (p === undefined || p === i) {
      isOrphan[i] = 1;
      continue;
    }
    rawParent[i] = p;
    kids[p + 1]++;
  }
  // Children in CSR form, each group sorted by start time.
  for (let i = 0; i < n; i++) kids[i + 1] += kids[i];
  const fill = kids.slice(0, n);
  const childList = new Int32Array(kids[n]);
  for (let i = 0; i < n; i++) if (rawParent[i] >= 0) childList[fill[rawParent[i]]++] = i;
  const byStart = (a: number, b: number) => rawStart[a] - rawStart[b] || a - b;
  for (let p = 0; p < n; p++) {
    const from = kids[p];
    const to = kids[p + 1];
    if (to - from > 1) childList.subarray(from, to).sort(byStart);
  }

  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (rawParent[i] < 0) roots.push(i);
  roots.sort(byStart);

  const order = new Int32Array(n);
  const visited = new Uint8Array(n);
  let pos = 0;
  const stack: number[] = [];
  const walk = (root: number) => {
    stack.push(root);
    while (stack.length) {
      const v = stack.pop()!;
      if (visited[v]) continue;
      visited[v] = 1;
      order[pos++] = v;
      for (let k = kids[v + 1] - 1; k >= kids[v]; k--) if (!visited[childList[k]]) stack.push(childList[k]);
    }
  };
  for (const r of roots) walk(r);
  // Spans caught in a parent cycle are never reached from a root: show them as orphans.
  for (let i = 0; i < n && pos < n; i++) {
    if (!visited[i]) {
      isOrphan[i] = 1;
      rawParent[i] = -1;
      walk(i);
    }
  }

  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[order[i]] = i;
  const spans = new Array<SpanRecord>(n);
  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const orphan = new Uint8Array(n);
  const childCount = new Int32Array(n);
  const indexById = new Map<string, number>();
  const serviceIds = new Map<string, number>();
  const services: string[] = [];
  const serviceOf = new Uint16Array(n);
  const errors: number[] = [];
  let orphanCount = 0;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const o = order[i];
    const s = raw[o];
    spans[i] = s;
    indexById.set(s.spanId, i);
    const rp = rawParent[o];
    // Only a parent earlier in preorder is a real tree parent; a cycle breaker keeps -1.
    const p = rp >= 0 && rank[rp] < i ? rank[rp] : -1;
    parent[i] = p;
    depth[i] = p >= 0 ? depth[p] + 1 : 0;
    if (depth[i] > maxDepth) maxDepth = depth[i];
    if (p >= 0) childCount[p]++;
    start[i] = rawStart[o];
    finish[i] = rawEnd[o];
    orphan[i] = isOrphan[o];
    orphanCount += isOrphan[o];
    let sid = serviceIds.get(s.serviceName);
    if (sid === undefined) {
      sid = services.length;
      services.push(s.serviceName);
      serviceIds.set(s.serviceName, sid);
    }
    serviceOf[i] = sid;
    if (s.status?.code === 2) errors.push(i);
  }
  const subtreeEnd = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    // Children come after the parent in preorder, so walking backwards sees every child's end first.
    if (subtreeEnd[i] === 0) subtreeEnd[i] = i + 1;
    const p = parent[i];
    if (p >= 0 && subtreeEnd[i] > subtreeEnd[p]) subtreeEnd[p] = subtreeEnd[i];
  }

  return {
    traceId: n ? spans[0].traceId : '',
    spans,
    size: n,
    parent,
    depth,
    subtreeEnd,
    childCount,
    start,
    finish,
    baseMs: base,
    orphan,
    orphanCount,
    indexById,
    services,
    serviceOf,
    errors: Int32Array.from(errors),
    maxDepth,
  };
}

/** Indexes of the children of i, in start order. */
export function childrenOf(m: TraceModel, i: number): number[] {
  const out: number[] = [];
  for (let c = i + 1; c < m.subtreeEnd[i]; c = m.subtreeEnd[c]) out.push(c);
  return out;
}

export function ancestorsOf(m: TraceModel, i: number): number[] {
  const out: number[] = [];
  for (let p = m.parent[i]; p >= 0; p = m.parent[p]) out.push(p);
  return out;
}

export function traceBounds(start: Float64Array, finish: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < start.length; i++) {
    if (start[i] < min) min = start[i];
    if (finish[i] > max) max = finish[i];
  }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  return { min, max: max > min ? max : min + 1 };
}
