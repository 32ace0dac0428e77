/**
 * One span as the store writes it: credentials taken out of every attribute
 * map, and the query columns (exact ns times, box id, event times) derived
 * from the same object the JSON is made of.
 */
import type { Attributes, SpanRecord } from '../../../shared/models.js';
import { ATTR } from '../../../shared/constants.js';
import { isSecretKey, SECRET_VALUE } from '../secret-keys.js';

const INT64_MAX = (1n << 63n) - 1n;

/** ns decimal string → a 64-bit integer (what columnInputOf reads from the same string; 0 if not a number). */
export function nsOf(ns: string | undefined): bigint {
  if (!ns) return 0n;
  try {
    const v = BigInt(ns);
    return v > INT64_MAX ? INT64_MAX : v < -INT64_MAX ? -INT64_MAX : v;
  } catch {
    return 0n;
  }
}

/** Keys repeat across spans: each key's verdict is computed once (bounded, so odd keys cannot grow it forever). */
const secretKey = new Map<string, boolean>();
function isSecret(key: string): boolean {
  let v = secretKey.get(key);
  if (v === undefined) {
    if (secretKey.size > 20_000) secretKey.clear();
    secretKey.set(key, (v = isSecretKey(key)));
  }
  return v;
}
const MAYBE_SECRET_VALUE = /^\s*b/i;

/** cleanAttributes (otlp/attributes.ts) with the key verdicts cached: the same rule, at ingest speed. */
export function cleanAttrs(attrs: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const k in attrs) {
    const v = attrs[k];
    if (
      isSecret(k) ||
      (typeof v === 'string' && v.length > 13 && MAYBE_SECRET_VALUE.test(v) && SECRET_VALUE.test(v.trim()))
    ) {
      out ??= { ...attrs };
      delete out[k];
    }
  }
  return out ?? attrs;
}

export interface SpanRow {
  span: SpanRecord;
  json: string;
  startNs: bigint;
  endNs: bigint;
  startUs: number;
  endUs: number;
  boxId: string | null;
  eventNs: string | null;
}

export function boxIdOf(s: SpanRecord): string | undefined {
  const v = s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId];
  return typeof v === 'string' && v ? v : undefined;
}

/** Spans of one resource share its attribute object: it is cleaned once per batch. */
export function spanRow(raw: SpanRecord, resources: WeakMap<Attributes, Attributes>): SpanRow {
  let resource = resources.get(raw.resource);
  if (!resource) resources.set(raw.resource, (resource = cleanAttrs(raw.resource)));
  const span: SpanRecord = {
    ...raw,
    attributes: cleanAttrs(raw.attributes),
    resource,
    events: raw.events.length ? raw.events.map((e) => ({ ...e, attributes: cleanAttrs(e.attributes) })) : raw.events,
    links: raw.links.length ? raw.links.map((l) => ({ ...l, attributes: cleanAttrs(l.attributes) })) : raw.links,
  };
  const startNs = nsOf(span.startTimeUnixNano);
  const endNs = nsOf(span.endTimeUnixNano);
  const startUs = Number(startNs / 1000n);
  return {
    span,
    json: JSON.stringify(span),
    startNs,
    endNs,
    startUs,
    endUs: Math.max(startUs, Number(endNs / 1000n)),
    boxId: boxIdOf(span) ?? null,
    eventNs: span.events.length ? span.events.map((e) => nsOf(e.timeUnixNano).toString()).join(',') : null,
  };
}
