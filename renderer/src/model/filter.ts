import type { AttrValue } from '../../../shared/models.js';
import { parseDuration } from './time.js';
import type { TraceModel } from './trace-model.js';

/**
 * Query language of the trace search box, words separated by spaces, all must match:
 *   text            name, service or any attribute value contains it
 *   service:NAME    service name contains NAME
 *   name:TEXT       span name contains TEXT
 *   KEY=VALUE       attribute KEY (span or resource) equals VALUE; KEY=* means present
 *   dur>=10ms dur<=2s dur>5ms dur<5ms
 *   is:error        status error
 */
export interface Query {
  text: string[];
  service: string[];
  name: string[];
  attrs: Array<{ key: string; value: string | null }>;
  minMs?: number;
  maxMs?: number;
  errorOnly: boolean;
}

export function parseQuery(q: string): Query {
  const out: Query = { text: [], service: [], name: [], attrs: [], errorOnly: false };
  for (const word of q.trim().split(/\s+/)) {
    if (!word) continue;
    const dur = /^(?:dur|duration)\s*(>=|<=|>|<)\s*(.+)$/i.exec(word);
    if (dur) {
      const ms = parseDuration(dur[2]);
      if (ms !== undefined) {
        if (dur[1].startsWith('>')) out.minMs = ms;
        else out.maxMs = ms;
        continue;
      }
    }
    const lower = word.toLowerCase();
    if (lower === 'is:error' || lower === 'status:error') out.errorOnly = true;
    else if (lower.startsWith('service:') && word.length > 8) out.service.push(lower.slice(8));
    else if (lower.startsWith('name:') && word.length > 5) out.name.push(lower.slice(5));
    else if (word.indexOf('=') > 0) {
      const at = word.indexOf('=');
      const value = word.slice(at + 1);
      out.attrs.push({ key: word.slice(0, at), value: value === '*' ? null : value });
    } else out.text.push(lower);
  }
  return out;
}

export function isEmptyQuery(q: Query): boolean {
  return (
    !q.text.length &&
    !q.service.length &&
    !q.name.length &&
    !q.attrs.length &&
    q.minMs === undefined &&
    q.maxMs === undefined &&
    !q.errorOnly
  );
}

const valueText = (v: AttrValue): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Case-insensitive containment without lower-casing every value: a literal /i regex per word. */
function anyValueContains(attrs: Record<string, AttrValue>, re: RegExp, numeric: boolean): boolean {
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === 'string') {
      if (re.test(v)) return true;
    } else if (typeof v === 'number') {
      if (numeric && re.test(String(v))) return true;
    } else if (v !== null && re.test(valueText(v))) return true;
  }
  return false;
}

export interface FilterResult {
  /** Preorder indexes of matching spans. */
  matches: Int32Array;
  /** 1 for matches and their ancestors: the rows a filtered tree keeps. */
  keep: Uint8Array;
  /** 1 for matches only. */
  hit: Uint8Array;
}

export function filterSpans(m: TraceModel, q: Query, start: Float64Array, finish: Float64Array): FilterResult {
  const n = m.size;
  const keep = new Uint8Array(n);
  const hit = new Uint8Array(n);
  const matches: number[] = [];
  const serviceHit = m.services.map((s) => q.service.every((w) => s.toLowerCase().includes(w)));
  const serviceText = m.services.map((s) => s.toLowerCase());
  const textRe = q.text.map((w) => new RegExp(escapeRe(w), 'i'));
  const textNumeric = q.text.map((w) => /^[-+0-9.e]+$/.test(w) && /[0-9]/.test(w));
  for (let i = 0; i < n; i++) {
    const s = m.spans[i];
    if (q.errorOnly && s.status?.code !== 2) continue;
    if (!serviceHit[m.serviceOf[i]]) continue;
    const d = finish[i] - start[i];
    if (q.minMs !== undefined && d < q.minMs) continue;
    if (q.maxMs !== undefined && d > q.maxMs) continue;
    let ok = true;
    if (q.name.length || q.text.length) {
      const name = s.name.toLowerCase();
      for (const w of q.name) if (!name.includes(w)) ok = false;
      for (let t = 0; ok && t < q.text.length; t++) {
        const w = q.text[t];
        if (name.includes(w) || serviceText[m.serviceOf[i]].includes(w) || s.spanId === w) continue;
        if (anyValueContains(s.attributes, textRe[t], textNumeric[t])) continue;
        ok = false;
      }
    }
    for (let a = 0; ok && a < q.attrs.length; a++) {
      const { key, value } = q.attrs[a];
      const v = key in s.attributes ? s.attributes[key] : s.resource?.[key];
      if (v === undefined) ok = false;
      else if (value !== null && valueText(v) !== value) ok = false;
    }
    if (!ok) continue;
    matches.push(i);
    hit[i] = 1;
    for (let p = i; p >= 0 && !keep[p]; p = m.parent[p]) keep[p] = 1;
  }
  return { matches: Int32Array.from(matches), keep, hit };
}
