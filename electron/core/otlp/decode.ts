/**
 * ExportTraceServiceRequest (OTLP JSON or protobuf) → SpanRecords. Spans with
 * unusable ids are counted as rejected rather than failing the whole request,
 * so the receiver can answer with a partial success.
 */
import { TRACE_ID_RE } from '../../../shared/constants.js';
import type { SpanEventRecord, SpanLinkRecord, SpanRecord, StatusCode } from '../../../shared/models.js';
import { cleanAttributes, fromKeyValues } from './attributes.js';
import { pb, type OtlpKeyValue } from './schema.js';

export interface DecodeResult {
  spans: SpanRecord[];
  rejected: number;
  /** Why spans were rejected (first reason), for the partial-success message. */
  rejectReason?: string;
}

export class OtlpDecodeError extends Error {}

const HEX32 = TRACE_ID_RE;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/** An id as lowercase hex: JSON carries hex (OTLP spec), some encoders base64; protobuf carries bytes. */
function idToHex(v: unknown, bytes: number): string | undefined {
  if (v === undefined || v === null || v === '') return '';
  if (v instanceof Uint8Array)
    return v.length === 0 ? '' : v.length === bytes ? Buffer.from(v).toString('hex') : undefined;
  if (typeof v !== 'string') return undefined;
  if (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v)) return v.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const b = Buffer.from(v, 'base64');
    if (b.length === bytes) return b.toString('hex');
  }
  return undefined;
}

/** OTLP timestamps are fixed64: anything past 2^64 - 1 ns is not a time, whatever digits it has. */
const MAX_U64 = 2n ** 64n - 1n;

/** Up to 19 digits without a leading zero: already canonical and below 2^64, no BigInt needed (the usual case). */
const PLAIN_U64 = /^[1-9]\d{0,18}$/;

function nanos(v: unknown): string | undefined {
  if (typeof v === 'string' && PLAIN_U64.test(v)) return v;
  if (v === undefined || v === null || v === '') return '0';
  let n: bigint | undefined;
  if (typeof v === 'number') n = Number.isFinite(v) && v >= 0 ? BigInt(Math.round(v)) : undefined;
  else if (typeof v === 'bigint') n = v >= 0n ? v : undefined;
  else if (typeof v === 'string') n = /^\d{1,20}$/.test(v) ? BigInt(v) : undefined;
  else if (typeof v === 'object' && typeof (v as { toString: unknown }).toString === 'function') {
    const s = String(v);
    n = /^\d{1,20}$/.test(s) ? BigInt(s) : undefined;
  }
  return n !== undefined && n <= MAX_U64 ? n.toString() : undefined;
}

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, StatusCode> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function enumValue(v: unknown, names: Record<string, number>, max: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
  if (typeof v === 'string' && v in names) return names[v]!;
  return 0;
}

type Loose = Record<string, unknown>;
const arr = (v: unknown): Loose[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Loose[]) : []);
const obj = (v: unknown): Loose | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;

/** Works on the JSON mapping and on protobufjs's decoded objects alike (same camelCase field names). */
export function fromExportRequest(req: unknown): DecodeResult {
  const root = obj(req);
  if (!root) throw new OtlpDecodeError('request body is not an ExportTraceServiceRequest object');
  if (root.resourceSpans !== undefined && !Array.isArray(root.resourceSpans)) {
    throw new OtlpDecodeError('resourceSpans must be an array');
  }
  const out: DecodeResult = { spans: [], rejected: 0 };
  const reject = (why: string) => {
    out.rejected++;
    out.rejectReason ??= why;
  };
  for (const rs of arr(root.resourceSpans)) {
    const resource = cleanAttributes(fromKeyValues(obj(rs.resource)?.attributes as OtlpKeyValue[]));
    const svc = resource['service.name'];
    const serviceName = typeof svc === 'string' && svc ? svc : 'unknown_service';
    const scopeLists = rs.scopeSpans ?? rs.instrumentationLibrarySpans;
    for (const ss of arr(scopeLists)) {
      const sc = obj(ss.scope) ?? obj(ss.instrumentationLibrary);
      const scope =
        sc && typeof sc.name === 'string' && sc.name
          ? { name: sc.name, ...(typeof sc.version === 'string' && sc.version ? { version: sc.version } : {}) }
          : undefined;
      for (const s of arr(ss.spans)) {
        const traceId = idToHex(s.traceId, 16);
        const spanId = idToHex(s.spanId, 8);
        const parent = idToHex(s.parentSpanId, 8);
        if (!traceId || !HEX32.test(traceId) || traceId === ZERO32) {
          reject('invalid traceId');
          continue;
        }
        if (!spanId || !HEX16.test(spanId) || spanId === ZERO16) {
          reject('invalid spanId');
          continue;
        }
        if (parent === undefined) {
          reject('invalid parentSpanId');
          continue;
        }
        const start = nanos(s.startTimeUnixNano);
        const end = nanos(s.endTimeUnixNano);
        if (start === undefined || end === undefined) {
          reject('invalid span timestamps');
          continue;
        }
        const events: SpanEventRecord[] = arr(s.events).map((e) => ({
          timeUnixNano: nanos(e.timeUnixNano) ?? '0',
          name: typeof e.name === 'string' ? e.name : '',
          attributes: cleanAttributes(fromKeyValues(e.attributes as OtlpKeyValue[])),
        }));
        const links: SpanLinkRecord[] = [];
        for (const l of arr(s.links)) {
          const lt = idToHex(l.traceId, 16);
          const ls = idToHex(l.spanId, 8);
          if (lt && ls)
            links.push({
              traceId: lt,
              spanId: ls,
              attributes: cleanAttributes(fromKeyValues(l.attributes as OtlpKeyValue[])),
            });
        }
        const st = obj(s.status);
        const code = enumValue(st?.code, STATUS_NAMES, 2) as StatusCode;
        const message = typeof st?.message === 'string' && st.message ? st.message : undefined;
        out.spans.push({
          traceId,
          spanId,
          ...(parent && parent !== ZERO16 ? { parentSpanId: parent } : {}),
          name: typeof s.name === 'string' ? s.name : '',
          kind: enumValue(s.kind, KIND_NAMES, 5),
          serviceName,
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          attributes: cleanAttributes(fromKeyValues(s.attributes as OtlpKeyValue[])),
          events,
          links,
          status: { code, ...(message ? { message } : {}) },
          resource,
          ...(scope ? { scope } : {}),
        });
      }
    }
  }
  return out;
}

export function decodeOtlpJson(text: string | Buffer): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`malformed JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return fromExportRequest(parsed);
}

export function decodeOtlpProtobuf(buf: Uint8Array): DecodeResult {
  let msg;
  try {
    msg = pb.ExportTraceServiceRequest.decode(buf);
  } catch (err) {
    throw new OtlpDecodeError(`malformed protobuf: ${(err as Error).message.split('\n')[0]}`);
  }
  // Bytes stay Uint8Array (ids become hex above); fixed64 become decimal strings.
  const plain = pb.ExportTraceServiceRequest.toObject(msg, { longs: String, enums: Number, defaults: false });
  return fromExportRequest(plain);
}

/**
 * protobufjs builds each message type's decoder on its first use, which on a CLI launch with the
 * daemon fell on the critical path: between the daemon's boot span arriving and the launch ending.
 * Decoding one small request of every nested type builds them ahead, while the engine starts the box.
 */
export function warmProtobufDecoder(): void {
  const id = (n: number) => new Uint8Array(n).fill(1);
  const attributes = [
    { key: 's', value: { stringValue: 'v' } },
    { key: 'i', value: { intValue: 1 } },
    { key: 'b', value: { boolValue: true } },
    { key: 'd', value: { doubleValue: 0.5 } },
    { key: 'a', value: { arrayValue: { values: [{ stringValue: 'v' }] } } },
  ];
  const sample = pb.ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes },
        scopeSpans: [
          {
            scope: { name: 'warm', version: '1' },
            spans: [
              {
                traceId: id(16),
                spanId: id(8),
                parentSpanId: id(8),
                name: 'warm',
                kind: 1,
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes,
                events: [{ timeUnixNano: '1', name: 'e', attributes }],
                links: [{ traceId: id(16), spanId: id(8), attributes }],
                status: { code: 1, message: '' },
              },
            ],
          },
        ],
      },
    ],
  });
  decodeOtlpProtobuf(pb.ExportTraceServiceRequest.encode(sample).finish());
}
