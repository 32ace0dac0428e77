/** OTLP AnyValue ↔ the store's AttrValue, and the credential filter applied to every span on ingest. */
import type { AttrValue, Attributes } from '../../../shared/models.js';
import { isSecretKey, SECRET_VALUE } from '../secret-keys.js';
import type { OtlpAnyValue, OtlpKeyValue } from './schema.js';

export { isSecretKey };

/** Keys repeat across spans (a 100k-span import has a few dozen): the key test is remembered, within bounds. */
const keyVerdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 10_000;

function isSecretKeyCached(key: string): boolean {
  let v = keyVerdicts.get(key);
  if (v === undefined) {
    v = isSecretKey(key);
    if (keyVerdicts.size >= MAX_REMEMBERED) keyVerdicts.clear();
    keyVerdicts.set(key, v);
  }
  return v;
}

/** SECRET_VALUE starts with basic or bearer: most values fail on their first letter without a regex. */
function isSecretValue(v: string): boolean {
  const c = v.charCodeAt(0) | 0x20;
  if (c !== 0x62 && v.charCodeAt(0) > 0x20) return false;
  return SECRET_VALUE.test(v.trim());
}

export function cleanAttributes(attrs: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    if (isSecretKeyCached(k) || (typeof v === 'string' && isSecretValue(v))) {
      out ??= { ...attrs };
      delete out[k];
    }
  }
  return out ?? attrs;
}

function bytesToBase64(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return '';
}

function longToValue(v: unknown): number | string {
  if (typeof v === 'number') return v;
  const s = typeof v === 'string' ? v : v != null ? String(v) : '0';
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

export function fromAnyValue(v: OtlpAnyValue | undefined | null, depth = 0): AttrValue {
  if (!v || typeof v !== 'object') return null;
  if (v.stringValue !== undefined && v.stringValue !== null) return String(v.stringValue);
  if (v.boolValue !== undefined && v.boolValue !== null) return Boolean(v.boolValue);
  if (v.intValue !== undefined && v.intValue !== null) return longToValue(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  // Input is untrusted OTLP JSON: a non-list `values` or a null entry is dropped, not a TypeError.
  if (v.arrayValue) {
    if (depth > 8) return null;
    const values = v.arrayValue.values;
    return Array.isArray(values) ? values.map((x) => fromAnyValue(x, depth + 1)) : [];
  }
  if (v.kvlistValue) {
    if (depth > 8) return null;
    // AttrValue has no maps: keep the structure readable as JSON text.
    const obj: Record<string, AttrValue> = {};
    const values = v.kvlistValue.values;
    for (const e of Array.isArray(values) ? values : [])
      if (e && typeof e.key === 'string') obj[e.key] = fromAnyValue(e.value, depth + 1);
    return JSON.stringify(obj);
  }
  if (v.bytesValue !== undefined && v.bytesValue !== null) return bytesToBase64(v.bytesValue);
  return null;
}

export function fromKeyValues(list: OtlpKeyValue[] | undefined | null): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (!e || typeof e.key !== 'string') continue;
    out[e.key] = fromAnyValue(e.value);
  }
  return out;
}

export function toAnyValue(v: AttrValue): OtlpAnyValue {
  if (v === null || v === undefined) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
  return { stringValue: String(v) };
}

export function toKeyValues(attrs: Attributes): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}
