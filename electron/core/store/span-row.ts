/**
 * One span as the store writes it: credentials taken out of every attribute
 * map, and the query columns (exact ns times, box id, event times) derived
 * from the same object the JSON is made of. Since schema v3 the JSON holds
 * only what no column holds, and the resource is a row of its own
 * (`resources`, one per trace and distinct resource).
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
  /** What the row's query columns do not hold (schema v3): attributes, events, links, status, scope. */
  json: string;
  resource: ResourceInfo;
  startNs: bigint;
  endNs: bigint;
  startUs: number;
  endUs: number;
  boxId: string | null;
  eventNs: string | null;
}

/** A cleaned resource and its stored JSON, once per batch. */
export interface ResourceInfo {
  attrs: Attributes;
  json: string;
  /** The resource row last used for it in this write, and its trace. */
  traceId?: string;
  id?: number;
}

export function boxIdOf(s: SpanRecord): string | undefined {
  const v = s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId];
  return typeof v === 'string' && v ? v : undefined;
}

/** Spans of one resource share its attribute object: it is cleaned once per batch. */
export function spanRow(raw: SpanRecord, resources: WeakMap<Attributes, ResourceInfo>): SpanRow {
  let res = resources.get(raw.resource);
  if (!res) {
    const attrs = cleanAttrs(raw.resource);
    res = { attrs, json: JSON.stringify(attrs) };
    resources.set(raw.resource, res);
  }
  const attributes = cleanAttrs(raw.attributes);
  const events = raw.events.length
    ? raw.events.map((e) => ({ ...e, attributes: cleanAttrs(e.attributes) }))
    : raw.events;
  const links = raw.links.length ? raw.links.map((l) => ({ ...l, attributes: cleanAttrs(l.attributes) })) : raw.links;
  const span: SpanRecord = { ...raw, attributes, resource: res.attrs, events, links };
  const startNs = nsOf(span.startTimeUnixNano);
  const endNs = nsOf(span.endTimeUnixNano);
  const startUs = Number(startNs / 1000n);
  // Times the integer columns would not give back as the same text are kept in the JSON too.
  const rest: Partial<SpanRecord> = { attributes, events, links, status: span.status };
  if (span.scope) rest.scope = span.scope;
  if (startNs.toString() !== span.startTimeUnixNano) rest.startTimeUnixNano = span.startTimeUnixNano;
  if (endNs.toString() !== span.endTimeUnixNano) rest.endTimeUnixNano = span.endTimeUnixNano;
  return {
    span,
    json: JSON.stringify(rest),
    resource: res,
    startNs,
    endNs,
    startUs,
    endUs: Math.max(startUs, Number(endNs / 1000n)),
    boxId: boxIdOf(span) ?? null,
    eventNs: span.events.length ? span.events.map((e) => nsOf(e.timeUnixNano).toString()).join(',') : null,
  };
}

/** A stored row as read back: the query columns and the JSON (v3: the rest; v2: the whole span). */
export type StoredRow = [
  traceId: string,
  spanId: string,
  parent: string | null,
  name: string,
  service: string,
  kind: number,
  startNs: string,
  endNs: string,
  res: number | null,
  json: string,
];

/** Where a StoredRow holds its JSON. */
export const ROW_JSON = 9;

/** The SELECT list a StoredRow is read with (`json` may be an expression yielding it). */
export const storedColumns = (json = 'json') =>
  `trace_id, span_id, parent_span_id, name, service, kind, CAST(start_ns AS TEXT), CAST(end_ns AS TEXT), res, ${json}`;

/** The whole span of a stored row; `resourceOf` gives a resource row's attributes. */
export function spanOfRow(r: StoredRow, resourceOf: (id: number) => Attributes): SpanRecord {
  const o = JSON.parse(r[ROW_JSON]) as SpanRecord;
  // A version-2 row holds the whole span already.
  if (o.traceId !== undefined) return o;
  const span: SpanRecord = {
    traceId: r[0],
    spanId: r[1],
    ...(r[2] !== null ? { parentSpanId: r[2] } : {}),
    name: r[3],
    kind: r[5],
    serviceName: r[4],
    startTimeUnixNano: o.startTimeUnixNano ?? r[6],
    endTimeUnixNano: o.endTimeUnixNano ?? r[7],
    attributes: o.attributes,
    events: o.events,
    links: o.links,
    status: o.status,
    resource: r[8] === null ? {} : resourceOf(r[8]),
  };
  if (o.scope) span.scope = o.scope;
  return span;
}
