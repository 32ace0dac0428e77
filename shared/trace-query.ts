/**
 * The trace search box's query language, shared by the timeline (which
 * evaluates what its columns hold) and the core (which evaluates what only
 * the stored spans hold: attributes and resource). Words separated by
 * spaces, all must match:
 *   text            name, service, span id or any attribute value contains it
 *   service:NAME    service name contains NAME
 *   name:TEXT       span name contains TEXT
 *   KEY=VALUE       attribute KEY (span or resource) equals VALUE; KEY=* means present
 *   dur>=10ms dur<=2s dur>5ms dur<5ms
 *   is:error        status error
 */
import type { AttrValue, SpanRecord } from './models.js';

export interface Query {
  text: string[];
  service: string[];
  name: string[];
  attrs: Array<{ key: string; value: string | null }>;
  minMs?: number;
  maxMs?: number;
  errorOnly: boolean;
}

/** Parses `250ms`, `1.5s`, `300us`, `2m` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  switch ((m[2] ?? 'ms').toLowerCase()) {
    case 'ns':
      return v / 1e6;
    case 'us':
    case 'µs':
      return v / 1e3;
    case 's':
      return v * 1000;
    case 'm':
      return v * 60_000;
    default:
      return v;
  }
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

/** Whether answering the query needs what only the stored spans hold (attribute values). */
export function needsAttributes(q: Query): boolean {
  return q.text.length > 0 || q.attrs.length > 0;
}

export const valueText = (v: AttrValue): string =>
  v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Case-insensitive containment without lower-casing every value: a literal /i regex per word. */
export function anyValueContains(attrs: Record<string, AttrValue>, re: RegExp, numeric: boolean): boolean {
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

/** One regex and "is it a number" flag per text word, built once per query. */
export function textMatchers(q: Query): Array<{ word: string; re: RegExp; numeric: boolean }> {
  return q.text.map((w) => ({
    word: w,
    re: new RegExp(escapeRe(w), 'i'),
    numeric: /^[-+0-9.e]+$/.test(w) && /[0-9]/.test(w),
  }));
}

/**
 * Every term of the query but duration, on one whole span. `matchers` is
 * textMatchers(q), passed in so a search over many spans builds it once.
 */
export function spanMatches(s: SpanRecord, q: Query, matchers = textMatchers(q)): boolean {
  if (q.errorOnly && s.status?.code !== 2) return false;
  const service = s.serviceName.toLowerCase();
  for (const w of q.service) if (!service.includes(w)) return false;
  const name = s.name.toLowerCase();
  for (const w of q.name) if (!name.includes(w)) return false;
  for (const { word, re, numeric } of matchers) {
    if (name.includes(word) || service.includes(word) || s.spanId === word) continue;
    if (anyValueContains(s.attributes, re, numeric)) continue;
    return false;
  }
  for (const { key, value } of q.attrs) {
    const v = key in s.attributes ? s.attributes[key] : s.resource?.[key];
    if (v === undefined) return false;
    if (value !== null && valueText(v) !== value) return false;
  }
  return true;
}
