import { spanIdOf, type TraceModel } from './trace-model.js';

/**
 * Rows of the tree as drawn: preorder, skipping the inside of collapsed
 * spans and, when a filter is on, every subtree without a kept span.
 * A collapsed or filtered-out subtree is skipped in one jump, so the cost is
 * the number of rows shown.
 */
/** 0, 1, 2, …: every row shown. Shared (read-only) and grown by doubling, so a live update does not refill it. */
let identity = new Int32Array(0);

export function visibleRows(m: TraceModel, collapsed: Uint8Array | null, keep: Uint8Array | null): Int32Array {
  const n = m.size;
  if (!collapsed && !keep) {
    if (identity.length < n) {
      identity = new Int32Array(Math.max(n, identity.length * 2));
      for (let i = 0; i < identity.length; i++) identity[i] = i;
    }
    return identity.subarray(0, n);
  }
  const out = new Int32Array(n);
  let k = 0;
  let i = 0;
  while (i < n) {
    if (keep && !keep[i]) {
      i = m.subtreeEnd[i];
      continue;
    }
    out[k++] = i;
    i = collapsed && collapsed[i] ? m.subtreeEnd[i] : i + 1;
  }
  return out.subarray(0, k);
}

/** Collapse state as span ids, so it survives a rebuild with more spans. */
export function collapsedMask(m: TraceModel, ids: ReadonlySet<string>): Uint8Array | null {
  if (!ids.size) return null;
  const mask = new Uint8Array(m.size);
  for (const id of ids) {
    const i = m.ids.findHex(id);
    if (i >= 0) mask[i] = 1;
  }
  return mask;
}

export function collapseAllIds(m: TraceModel): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < m.size; i++) if (m.childCount[i] > 0 && m.depth[i] > 0) out.add(spanIdOf(m, i));
  return out;
}

/** Opens the shallowest collapsed spans that are currently visible. */
export function expandOneLevel(m: TraceModel, ids: ReadonlySet<string>): Set<string> {
  const mask = collapsedMask(m, ids);
  if (!mask) return new Set(ids);
  const rows = visibleRows(m, mask, null);
  let best = Infinity;
  for (const i of rows) if (mask[i] && m.depth[i] < best) best = m.depth[i];
  const next = new Set(ids);
  for (const i of rows) if (mask[i] && m.depth[i] === best) next.delete(spanIdOf(m, i));
  return next;
}

/** Closes the deepest visible spans that still show children. */
export function collapseOneLevel(m: TraceModel, ids: ReadonlySet<string>): Set<string> {
  const mask = collapsedMask(m, ids);
  const rows = visibleRows(m, mask, null);
  let best = -1;
  for (const i of rows) if (m.childCount[i] > 0 && !(mask && mask[i]) && m.depth[i] > best) best = m.depth[i];
  const next = new Set(ids);
  for (const i of rows) if (m.depth[i] === best && m.childCount[i] > 0) next.add(spanIdOf(m, i));
  return next;
}

/** The collapse set with every ancestor of i opened, so i is on screen. */
export function revealIds(m: TraceModel, ids: ReadonlySet<string>, i: number): Set<string> {
  let next: Set<string> | null = null;
  for (let p = m.parent[i]; p >= 0; p = m.parent[p]) {
    const id = spanIdOf(m, p);
    if (ids.has(id)) {
      next ??= new Set(ids);
      next.delete(id);
    }
  }
  return next ?? (ids as Set<string>);
}

/** Next (dir 1) or previous (dir -1) entry of a sorted index list relative to `from`, wrapping. */
export function stepIn(list: Int32Array, from: number, dir: 1 | -1): number {
  if (!list.length) return -1;
  if (dir === 1) {
    for (const i of list) if (i > from) return i;
    return list[0];
  }
  for (let k = list.length - 1; k >= 0; k--) if (list[k] < from) return list[k];
  return list[list.length - 1];
}
