/** SpanRecords → OTLP JSON (hex ids, decimal-string nanos, camelCase), and the receiver's response bodies. */
import type { SpanRecord } from '../../../shared/models.js';
import { toKeyValues } from './attributes.js';
import { pb, type ExportTraceServiceRequest, type OtlpResourceSpans, type OtlpSpan } from './schema.js';

export function toOtlpSpan(s: SpanRecord): OtlpSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: toKeyValues(s.attributes),
    events: s.events.map((e) => ({
      timeUnixNano: e.timeUnixNano,
      name: e.name,
      attributes: toKeyValues(e.attributes),
    })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: toKeyValues(l.attributes) })),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

/** Groups by resource, then by instrumentation scope, keeping the spans' order. */
export function toExportRequest(spans: SpanRecord[]): ExportTraceServiceRequest {
  const byResource = new Map<string, { rs: OtlpResourceSpans; scopes: Map<string, OtlpSpan[]> }>();
  for (const s of spans) {
    const resource = { 'service.name': s.serviceName, ...s.resource };
    const rKey = JSON.stringify(resource);
    let r = byResource.get(rKey);
    if (!r) {
      r = { rs: { resource: { attributes: toKeyValues(resource) }, scopeSpans: [] }, scopes: new Map() };
      byResource.set(rKey, r);
    }
    const sKey = JSON.stringify(s.scope ?? null);
    let list = r.scopes.get(sKey);
    if (!list) {
      list = [];
      r.scopes.set(sKey, list);
      r.rs.scopeSpans!.push({ ...(s.scope ? { scope: { ...s.scope } } : {}), spans: list });
    }
    list.push(toOtlpSpan(s));
  }
  return { resourceSpans: [...byResource.values()].map((r) => r.rs) };
}

export type Encoding = 'json' | 'protobuf';

export function encodeExportResponse(enc: Encoding, rejected: number, message?: string): Buffer {
  const partial =
    rejected > 0 || message ? { rejectedSpans: String(rejected), errorMessage: message ?? '' } : undefined;
  if (enc === 'json') return Buffer.from(JSON.stringify(partial ? { partialSuccess: partial } : {}));
  const msg = pb.ExportTraceServiceResponse.fromObject(partial ? { partialSuccess: partial } : {});
  return Buffer.from(pb.ExportTraceServiceResponse.encode(msg).finish());
}

/** google.rpc.Status codes used by the receiver. */
export const RPC = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAUTHENTICATED: 16,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export function encodeRpcStatus(enc: Encoding, code: number, message: string): Buffer {
  if (enc === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(pb.RpcStatus.encode(pb.RpcStatus.fromObject({ code, message })).finish());
}
