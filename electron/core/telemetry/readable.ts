/** ReadableSpan (OTel JS SDK) ↔ SpanRecord: the runner's spans go into the store, stored spans go out to a collector. */
import { TraceFlags, type HrTime, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { AttrValue, Attributes, SpanRecord, StatusCode } from '../../../shared/models.js';

const NS = 1_000_000_000n;

export function hrTimeToNanos(t: HrTime): string {
  return (BigInt(t[0]) * NS + BigInt(t[1])).toString();
}

export function nanosToHrTime(ns: string): HrTime {
  const n = BigInt(ns || '0');
  return [Number(n / NS), Number(n % NS)];
}

function toAttrs(a: OtelAttributes | undefined): Attributes {
  const out: Attributes = {};
  if (!a) return out;
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? (v.map((x) => (x === undefined ? null : x)) as AttrValue[]) : (v as AttrValue);
  }
  return out;
}

export function readableToRecord(s: ReadableSpan): SpanRecord {
  const ctx = s.spanContext();
  const resource = toAttrs(s.resource.attributes as OtelAttributes);
  const svc = resource['service.name'];
  const scope = s.instrumentationScope;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(s.parentSpanContext?.spanId ? { parentSpanId: s.parentSpanContext.spanId } : {}),
    name: s.name,
    // API SpanKind starts at INTERNAL = 0; OTLP reserves 0 for unspecified.
    kind: s.kind + 1,
    serviceName: typeof svc === 'string' ? svc : 'unknown_service',
    startTimeUnixNano: hrTimeToNanos(s.startTime),
    endTimeUnixNano: hrTimeToNanos(s.endTime),
    attributes: toAttrs(s.attributes),
    events: s.events.map((e) => ({
      timeUnixNano: hrTimeToNanos(e.time),
      name: e.name,
      attributes: toAttrs(e.attributes),
    })),
    links: s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      attributes: toAttrs(l.attributes),
    })),
    status: { code: s.status.code as StatusCode, ...(s.status.message ? { message: s.status.message } : {}) },
    resource,
    ...(scope?.name ? { scope: { name: scope.name, ...(scope.version ? { version: scope.version } : {}) } } : {}),
  };
}

/** Builds ReadableSpans for an exporter; one Resource object per distinct resource so exporters group them. */
export function recordsToReadable(records: SpanRecord[], resources = new Map<string, Resource>()): ReadableSpan[] {
  return records.map((r) => {
    const resAttrs = { 'service.name': r.serviceName, ...r.resource };
    const key = JSON.stringify(resAttrs);
    let resource = resources.get(key);
    if (!resource) {
      resource = resourceFromAttributes(resAttrs as OtelAttributes);
      resources.set(key, resource);
    }
    const start = nanosToHrTime(r.startTimeUnixNano);
    const end = nanosToHrTime(r.endTimeUnixNano);
    const durNs = BigInt(r.endTimeUnixNano || '0') - BigInt(r.startTimeUnixNano || '0');
    const sampled = TraceFlags.SAMPLED;
    return {
      name: r.name,
      kind: Math.max(0, r.kind - 1),
      spanContext: () => ({ traceId: r.traceId, spanId: r.spanId, traceFlags: sampled }),
      ...(r.parentSpanId
        ? { parentSpanContext: { traceId: r.traceId, spanId: r.parentSpanId, traceFlags: sampled } }
        : {}),
      startTime: start,
      endTime: end,
      status: { code: r.status.code, ...(r.status.message ? { message: r.status.message } : {}) },
      attributes: r.attributes as OtelAttributes,
      links: r.links.map((l) => ({
        context: { traceId: l.traceId, spanId: l.spanId, traceFlags: sampled },
        attributes: l.attributes as OtelAttributes,
      })),
      events: r.events.map((e) => ({
        name: e.name,
        time: nanosToHrTime(e.timeUnixNano),
        attributes: e.attributes as OtelAttributes,
      })),
      duration: nanosToHrTime((durNs > 0n ? durNs : 0n).toString()),
      ended: true,
      resource,
      instrumentationScope: {
        name: r.scope?.name ?? 'boxscope',
        ...(r.scope?.version ? { version: r.scope.version } : {}),
      },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } satisfies ReadableSpan;
  });
}
