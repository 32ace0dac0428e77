import type { Query } from '../../../shared/trace-query.js';
import { parseIdHex } from './id-index.js';
import type { TraceModel } from './trace-model.js';

/**
 * The search box's query (shared/trace-query.ts) on the model's columns.
 * Names, services, span ids, status and duration are answered here; attribute
 * values only the core holds: `core` marks the spans its search returned
 * (every term but duration matched there). A text word matches when the
 * columns match it or the core returned the span; KEY=VALUE terms come only
 * from the core, so without its answer they match nothing yet.
 */
export interface FilterResult {
  /** Preorder indexes of matching spans. */
  matches: Int32Array;
  /** 1 for matches and their ancestors: the rows a filtered tree keeps. */
  keep: Uint8Array;
  /** 1 for matches only. */
  hit: Uint8Array;
}

/** The core's answer as a mask over the model's rows (ids it names that are not here are skipped). */
export function coreMask(m: TraceModel, spanIds: readonly string[]): Uint8Array {
  const mask = new Uint8Array(m.size);
  for (const id of spanIds) {
    const i = m.ids.findHex(id);
    if (i >= 0) mask[i] = 1;
  }
  return mask;
}

export function filterSpans(
  m: TraceModel,
  q: Query,
  start: Float64Array,
  finish: Float64Array,
  core: Uint8Array | null = null,
): FilterResult {
  const n = m.size;
  const keep = new Uint8Array(n);
  const hit = new Uint8Array(n);
  const matches: number[] = [];
  const words = q.text.slice(0, 30);
  const allWords = (1 << words.length) - 1;
  const wordIds = words.map((w) => parseIdHex(w));
  // Per string of the table, lazily: bit k = text word k is in it, bit 30 = every name: word is in it.
  const NAME_OK = 1 << 30;
  const strBits = new Int32Array(m.strings.length).fill(-1);
  const bitsOf = (sid: number): number => {
    let b = strBits[sid];
    if (b >= 0) return b;
    const s = m.strings[sid].toLowerCase();
    b = 0;
    for (let k = 0; k < words.length; k++) if (s.includes(words[k])) b |= 1 << k;
    if (q.name.every((w) => s.includes(w))) b |= NAME_OK;
    strBits[sid] = b;
    return b;
  };
  const serviceOk = m.services.map((s) => q.service.every((w) => s.toLowerCase().includes(w)));
  const serviceBits = m.services.map((s) => {
    const low = s.toLowerCase();
    let b = 0;
    for (let k = 0; k < words.length; k++) if (low.includes(words[k])) b |= 1 << k;
    return b;
  });
  const attrsOnly = q.attrs.length > 0;
  const checkText = words.length > 0;
  for (let i = 0; i < n; i++) {
    if (q.errorOnly && m.status[i] !== 2) continue;
    const sv = m.serviceOf[i];
    if (!serviceOk[sv]) continue;
    const d = finish[i] - start[i];
    if (q.minMs !== undefined && d < q.minMs) continue;
    if (q.maxMs !== undefined && d > q.maxMs) continue;
    const nb = q.name.length || checkText ? bitsOf(m.name[i]) : NAME_OK;
    if (!(nb & NAME_OK)) continue;
    const fromCore = core !== null && core[i] === 1;
    if (attrsOnly) {
      if (!fromCore) continue;
    } else if (checkText && !fromCore) {
      let bits = (nb | serviceBits[sv]) & allWords;
      if (bits !== allWords) {
        for (let k = 0; k < words.length; k++) {
          const id = wordIds[k];
          if (id && m.idHi[i] === id[0] && m.idLo[i] === id[1]) bits |= 1 << k;
        }
        if (bits !== allWords) continue;
      }
    }
    matches.push(i);
    hit[i] = 1;
    for (let p = i; p >= 0 && !keep[p]; p = m.parent[p]) keep[p] = 1;
  }
  return { matches: Int32Array.from(matches), keep, hit };
}
