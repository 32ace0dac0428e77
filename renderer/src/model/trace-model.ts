import { EVENT_KIND, type ColumnBatch } from '../../../shared/trace-columns.js';
import { IdIndex, idToHex } from './id-index.js';
import { allocate, gather, startOrder } from './model-columns.js';

/**
 * A trace laid out in preorder: index i is the i-th row of the fully
 * expanded tree, and the subtree of i is the range [i, subtreeEnd[i]).
 * Columns only: no object per span. Strings (names, services, box ids) are
 * ids into one table; span ids are two uint32 halves with a hash index.
 * Built with loops and explicit stacks so that deep chains and wide
 * fan-outs never hit a recursion limit.
 */
export interface TraceModel {
  traceId: string;
  size: number;
  parent: Int32Array;
  depth: Int32Array;
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** Milliseconds relative to `baseMs`, as recorded. */
  start: Float64Array;
  finish: Float64Array;
  /** Epoch milliseconds of relative time 0 (a whole millisecond). */
  baseMs: number;
  /** Set on spans whose parent is not in the trace (yet). */
  orphan: Uint8Array;
  orphanCount: number;
  /** Span ids and parent ids as high/low halves (0/0: none). */
  idHi: Uint32Array;
  idLo: Uint32Array;
  parentHi: Uint32Array;
  parentLo: Uint32Array;
  ids: SpanIndex;
  /** The model's string table; index 0 is "". */
  strings: string[];
  name: Uint32Array;
  boxId: Uint32Array;
  services: string[];
  serviceOf: Uint32Array;
  /** 0 unset, 1 ok, 2 error. */
  status: Uint8Array;
  kind: Uint8Array;
  /** Events of span i: eventMs[eventStart[i] .. eventEnd[i]), relative to baseMs. */
  eventStart: Uint32Array;
  eventEnd: Uint32Array;
  eventMs: Float64Array;
  /** EVENT_KIND (shared/trace-columns.ts) of each event, parallel to eventMs. */
  eventKind: Uint8Array;
  /** Preorder indexes of spans with status error. */
  errors: Int32Array;
  maxDepth: number;
}

/** Span id → preorder index. */
export interface SpanIndex {
  find(hi: number, lo: number): number;
  findHex(hex: string): number;
}

export const spanIdOf = (m: TraceModel, i: number): string => idToHex(m.idHi[i], m.idLo[i]);
export const parentIdOf = (m: TraceModel, i: number): string => idToHex(m.parentHi[i], m.parentLo[i]);
export const nameOf = (m: TraceModel, i: number): string => m.strings[m.name[i]];
export const serviceNameOf = (m: TraceModel, i: number): string => m.services[m.serviceOf[i]];
export const boxIdOf = (m: TraceModel, i: number): string => m.strings[m.boxId[i]];
export const isError = (m: TraceModel, i: number): boolean => m.status[i] === 2;
/** The preorder index of a span id (hex), or -1. */
export const indexOfId = (m: TraceModel, hex: string): number => m.ids.findHex(hex);
export const eventTimesOf = (m: TraceModel, i: number): Float64Array =>
  m.eventMs.subarray(m.eventStart[i], m.eventEnd[i]);
/** Whether span i has an exception event. */
export function hasException(m: TraceModel, i: number): boolean {
  for (let e = m.eventStart[i]; e < m.eventEnd[i]; e++) if (m.eventKind[e] === EVENT_KIND.exception) return true;
  return false;
}

/** The model of a list of batches of one trace; a span id seen again replaces the earlier row. */
export function buildTraceModel(batches: readonly ColumnBatch[]): TraceModel {
  let total = 0;
  let minBase: bigint | undefined;
  for (const b of batches) {
    total += b.count;
    if (b.count && (minBase === undefined || b.baseNsBig < minBase)) minBase = b.baseNsBig;
  }
  const baseMsBig = (minBase ?? 0n) / 1_000_000n;
  const baseNs = baseMsBig * 1_000_000n;
  // Batch offsets from the model's base, in ns: exact in a double for 104 days.
  const delta = batches.map((b) => Number(b.baseNsBig - baseNs));

  // One string table for all batches.
  const strings: string[] = [''];
  const stringIds = new Map<string, number>([['', 0]]);
  const remap = batches.map((b) =>
    Uint32Array.from(b.strings, (s) => {
      let id = stringIds.get(s);
      if (id === undefined) {
        id = strings.length;
        strings.push(s);
        stringIds.set(s, id);
      }
      return id;
    }),
  );

  // Dedup by span id, last wins: a repeated id overwrites its row's columns.
  const ids = new IdIndex(total);
  const raw = allocate(total);
  const rawStart = raw.start;
  const rawEnd = raw.finish;
  const srcBatch = new Uint32Array(total);
  const srcRow = new Uint32Array(total);
  for (let k = 0; k < batches.length; k++) {
    const b = batches[k];
    const map = remap[k];
    const { spanId, parentId, start, end, name, service, boxId, status, kind } = b;
    const d = delta[k];
    for (let r = 0; r < b.count; r++) {
      const o = r * 8;
      const hi = ((spanId[o] << 24) | (spanId[o + 1] << 16) | (spanId[o + 2] << 8) | spanId[o + 3]) >>> 0;
      const lo = ((spanId[o + 4] << 24) | (spanId[o + 5] << 16) | (spanId[o + 6] << 8) | spanId[o + 7]) >>> 0;
      const u = ids.add(hi, lo);
      srcBatch[u] = k;
      srcRow[u] = r;
      const s = (d + start[r]) / 1e6;
      rawStart[u] = s;
      // A span that has not ended (or ended before it began) is drawn as a point.
      rawEnd[u] = Math.max(s, (d + end[r]) / 1e6);
      raw.parentHi[u] =
        ((parentId[o] << 24) | (parentId[o + 1] << 16) | (parentId[o + 2] << 8) | parentId[o + 3]) >>> 0;
      raw.parentLo[u] =
        ((parentId[o + 4] << 24) | (parentId[o + 5] << 16) | (parentId[o + 6] << 8) | parentId[o + 7]) >>> 0;
      raw.name[u] = map[name[r]];
      raw.serviceOf[u] = map[service[r]];
      raw.boxId[u] = map[boxId[r]];
      raw.status[u] = status[r];
      raw.kind[u] = kind[r];
    }
  }
  const n = ids.size;

  const rawParent = new Int32Array(n).fill(-1);
  const isOrphan = new Uint8Array(n);
  const kids = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) {
    const phi = raw.parentHi[u];
    const plo = raw.parentLo[u];
    if (!phi && !plo) continue;
    const p = ids.find(phi, plo);
    if (p < 0 || p === u) {
      isOrphan[u] = 1;
      continue;
    }
    rawParent[u] = p;
    kids[p + 1]++;
  }

  // Every span in start order (ties by row), without a comparator: a native numeric
  // sort of the times, then each span's rank by binary search, then a stable counting sort.
  const byTime = startOrder(rawStart.subarray(0, n));
  // Children in CSR form, each group in start order.
  for (let i = 0; i < n; i++) kids[i + 1] += kids[i];
  const fill = kids.slice(0, n);
  const childList = new Int32Array(kids[n]);
  const roots: number[] = [];
  for (const i of byTime) {
    if (rawParent[i] >= 0) childList[fill[rawParent[i]]++] = i;
    else roots.push(i);
  }

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
  const m = allocate(n);
  let events = 0;
  const evStart = batches.map((b) => b.eventStart);
  const evNs = batches.map((b) => b.eventNs);
  if (n === total) for (const b of batches) events += b.events;
  else for (let u = 0; u < n; u++) events += evStart[srcBatch[u]][srcRow[u] + 1] - evStart[srcBatch[u]][srcRow[u]];
  const eventMs = new Float64Array(events);
  const eventKind = new Uint8Array(events);
  const evKind = batches.map((b) => b.eventKind);
  const serviceIds = new Int32Array(strings.length).fill(-1);
  const services: string[] = [];
  const errors: number[] = [];
  let orphanCount = 0;
  let maxDepth = 0;
  let ev = 0;
  // Column by column: one gather per column keeps the random reads independent.
  gather(m.idHi, ids.hi, order);
  gather(m.idLo, ids.lo, order);
  gather(m.parentHi, raw.parentHi, order);
  gather(m.parentLo, raw.parentLo, order);
  gather(m.start, rawStart, order);
  gather(m.finish, rawEnd, order);
  gather(m.orphan, isOrphan, order);
  gather(m.name, raw.name, order);
  gather(m.boxId, raw.boxId, order);
  gather(m.status, raw.status, order);
  gather(m.kind, raw.kind, order);
  gather(m.serviceOf, raw.serviceOf, order);
  for (let i = 0; i < n; i++) {
    const rp = rawParent[order[i]];
    // Only a parent earlier in preorder is a real tree parent; a cycle breaker keeps -1.
    const p = rp >= 0 && rank[rp] < i ? rank[rp] : -1;
    m.parent[i] = p;
    const d = p >= 0 ? m.depth[p] + 1 : 0;
    m.depth[i] = d;
    if (d > maxDepth) maxDepth = d;
    if (p >= 0) m.childCount[p]++;
    orphanCount += m.orphan[i];
    // Services numbered in preorder of first use.
    const svc = m.serviceOf[i];
    let sid = serviceIds[svc];
    if (sid < 0) {
      sid = serviceIds[svc] = services.length;
      services.push(strings[svc]);
    }
    m.serviceOf[i] = sid;
    if (m.status[i] === 2) errors.push(i);
  }
  if (events) {
    for (let i = 0; i < n; i++) {
      m.eventStart[i] = ev;
      const o = order[i];
      const k = srcBatch[o];
      const r = srcRow[o];
      const es = evStart[k];
      if (es[r + 1] > es[r]) {
        const ns = evNs[k];
        const kinds = evKind[k];
        for (let e = es[r]; e < es[r + 1]; e++) {
          eventKind[ev] = kinds[e];
          eventMs[ev++] = (delta[k] + ns[e]) / 1e6;
        }
      }
    }
  }
  m.eventStart[n] = ev;
  for (let i = n - 1; i >= 0; i--) {
    // Children come after the parent in preorder, so walking backwards sees every child's end first.
    if (m.subtreeEnd[i] === 0) m.subtreeEnd[i] = i + 1;
    const p = m.parent[i];
    if (p >= 0 && m.subtreeEnd[i] > m.subtreeEnd[p]) m.subtreeEnd[p] = m.subtreeEnd[i];
  }

  return {
    ...m,
    traceId: batches.find((b) => b.traceId)?.traceId ?? '',
    size: n,
    baseMs: Number(baseMsBig),
    orphanCount,
    ids: ids.permuted(rank, m.idHi, m.idLo),
    strings,
    services,
    eventEnd: m.eventStart.subarray(1),
    eventMs,
    eventKind,
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
