/**
 * Jaeger JSON (the UI's "download JSON" / query API shape) → SpanRecords:
 * tags become attributes, logs events, references the parent and links.
 */
import type { AttrValue, Attributes, SpanRecord, StatusCode } from '../../../shared/models.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { cleanAttributes } from './attributes.js';

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => !!v && typeof v === 'object' && !Array.isArray(v);

function bad(reason: string, fileName?: string): BoxscopeError {
  return new BoxscopeError('BAD_TRACE_FILE', `${fileName ? fileName + ': ' : ''}${reason}`);
}

function tagValue(t: Loose): AttrValue {
  const v = t.value;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    if (t.type === 'bool' && typeof v === 'string') return v === 'true';
    if ((t.type === 'int64' || t.type === 'float64') && typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))) {
      return Number(v);
    }
    return v;
  }
  return v === undefined || v === null ? null : JSON.stringify(v);
}

function tagsToAttributes(tags: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(tags)) return out;
  for (const t of tags) if (isObj(t) && typeof t.key === 'string') out[t.key] = tagValue(t);
  return out;
}

/** Jaeger ids may be 64-bit (16 hex) for trace ids: left-pad as OTel does. */
function jaegerId(v: unknown, hexLen: number): string | undefined {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{1,32}$/.test(v) || v.length > hexLen) return undefined;
  const id = v.toLowerCase().padStart(hexLen, '0');
  return /^0+$/.test(id) ? undefined : id;
}

function micros(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v));
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return undefined;
}

const KIND: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

export function fromJaeger(doc: Loose, fileName?: string): SpanRecord[] {
  const traces = Array.isArray(doc.data) ? doc.data : [doc];
  const out: SpanRecord[] = [];
  for (const t of traces) {
    if (!isObj(t) || !Array.isArray(t.spans)) throw bad('Jaeger JSON: each data[] entry needs a spans array', fileName);
    const processes = isObj(t.processes) ? t.processes : {};
    for (const s of t.spans) {
      if (!isObj(s)) throw bad('Jaeger JSON: a span is not an object', fileName);
      const traceId = jaegerId(s.traceID ?? t.traceID, 32);
      const spanId = jaegerId(s.spanID, 16);
      if (!traceId || !spanId)
        throw bad(`Jaeger JSON: span ${String(s.spanID)} has an invalid traceID or spanID`, fileName);
      const start = micros(s.startTime);
      const dur = micros(s.duration ?? 0);
      if (start === undefined || dur === undefined) {
        throw bad(`Jaeger JSON: span ${spanId} has an invalid startTime or duration`, fileName);
      }
      const refs = Array.isArray(s.references) ? s.references.filter(isObj) : [];
      const parentRef = refs.find((r) => r.refType === 'CHILD_OF') ?? refs.find((r) => r.refType === 'FOLLOWS_FROM');
      const parentSpanId = jaegerId(parentRef?.spanID ?? s.parentSpanID, 16);
      const links = refs
        .filter((r) => r !== parentRef)
        .flatMap((r) => {
          const lt = jaegerId(r.traceID, 32);
          const ls = jaegerId(r.spanID, 16);
          return lt && ls
            ? [{ traceId: lt, spanId: ls, attributes: { 'jaeger.ref_type': String(r.refType ?? '') } }]
            : [];
        });
      const proc = isObj(processes[String(s.processID)])
        ? (processes[String(s.processID)] as Loose)
        : isObj(s.process)
          ? s.process
          : {};
      const serviceName =
        typeof proc.serviceName === 'string' && proc.serviceName ? proc.serviceName : 'unknown_service';
      const attrs = tagsToAttributes(s.tags);
      let code: StatusCode = 0;
      let message: string | undefined;
      const otelStatus = attrs['otel.status_code'];
      if (attrs.error === true || attrs.error === 'true' || otelStatus === 'ERROR') code = 2;
      else if (otelStatus === 'OK') code = 1;
      if (typeof attrs['otel.status_description'] === 'string') message = attrs['otel.status_description'];
      const kind = typeof attrs['span.kind'] === 'string' ? (KIND[attrs['span.kind']] ?? 0) : 0;
      const scopeName = attrs['otel.scope.name'] ?? attrs['otel.library.name'];
      const scopeVersion = attrs['otel.scope.version'] ?? attrs['otel.library.version'];
      for (const k of [
        'span.kind',
        'otel.status_code',
        'otel.status_description',
        'otel.scope.name',
        'otel.scope.version',
        'otel.library.name',
        'otel.library.version',
      ]) {
        delete attrs[k];
      }
      const events = (Array.isArray(s.logs) ? s.logs.filter(isObj) : []).map((l) => {
        const fields = tagsToAttributes(l.fields);
        const name = typeof fields.event === 'string' ? fields.event : 'log';
        delete fields.event;
        return {
          timeUnixNano: ((micros(l.timestamp) ?? start) * 1000n).toString(),
          name,
          attributes: cleanAttributes(fields),
        };
      });
      out.push({
        traceId,
        spanId,
        ...(parentSpanId ? { parentSpanId } : {}),
        name: typeof s.operationName === 'string' ? s.operationName : '',
        kind,
        serviceName,
        startTimeUnixNano: (start * 1000n).toString(),
        endTimeUnixNano: ((start + dur) * 1000n).toString(),
        attributes: cleanAttributes(attrs),
        events,
        links,
        status: { code, ...(message ? { message } : {}) },
        resource: cleanAttributes({ 'service.name': serviceName, ...tagsToAttributes(proc.tags) }),
        ...(typeof scopeName === 'string' && scopeName
          ? { scope: { name: scopeName, ...(typeof scopeVersion === 'string' ? { version: scopeVersion } : {}) } }
          : {}),
      });
    }
  }
  return out;
}
