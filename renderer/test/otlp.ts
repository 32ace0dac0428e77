import type { AttrValue, Attributes, SpanRecord, StatusCode } from '../../shared/models.js';

/** OTLP JSON shapes, only as far as this converter reads them. */
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  events?: Array<{ timeUnixNano: string | number; name: string; attributes?: KeyValue[] }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: KeyValue[] }>;
  status?: { code?: number; message?: string };
}
export interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ scope?: { name: string; version?: string }; spans?: OtlpSpan[] }>;
  }>;
}

function value(v: AnyValue | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return null;
}

function attrs(list: KeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  if (list) for (const kv of list) out[kv.key] = value(kv.value);
  return out;
}

/**
 * OTLP JSON → SpanRecord, for test fixtures and the benchmark page only:
 * in the app the core does this before spans reach the renderer.
 */
export function otlpToSpans(req: OtlpRequest): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    const serviceName = typeof resource['service.name'] === 'string' ? (resource['service.name'] as string) : 'unknown';
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name,
          kind: s.kind ?? 1,
          serviceName,
          startTimeUnixNano: String(s.startTimeUnixNano),
          endTimeUnixNano: String(s.endTimeUnixNano),
          attributes: attrs(s.attributes),
          events: (s.events ?? []).map((e) => ({
            timeUnixNano: String(e.timeUnixNano),
            name: e.name,
            attributes: attrs(e.attributes),
          })),
          links: (s.links ?? []).map((l) => ({
            traceId: l.traceId,
            spanId: l.spanId,
            attributes: attrs(l.attributes),
          })),
          status: {
            code: (s.status?.code ?? 0) as StatusCode,
            ...(s.status?.message ? { message: s.status.message } : {}),
          },
          resource,
          ...(ss.scope ? { scope: ss.scope } : {}),
        });
      }
    }
  }
  return out;
}
