/**
 * A batch of spans in columns: how a trace travels from the core (or a file
 * parser) to the timeline without one object per span. Each batch is one
 * self-contained ArrayBuffer (its own string table), so batches can be sent
 * as binary stream items and transferred, and decoding is a handful of typed
 * array views over the same bytes. Times are exact: nanosecond offsets from
 * the batch's `baseNs`, which a float64 holds exactly for 104 days.
 * Attributes, events' attributes and links are not here: the timeline asks
 * for one span's detail (`traces:span`) and searches in the core.
 * See docs/CONTRACTS.md ("Trace columns").
 */

import type { SpanRecord } from './models.js';
import { ATTR } from './constants.js';

/** 'B','X','C','1' little-endian. */
const MAGIC = 0x31435842;
const VERSION = 2;

/**
 * What an event is, one byte per event: the column path carries no event
 * names, only the kinds the timeline draws differently.
 */
export const EVENT_KIND = { other: 0, exception: 1 } as const;
/** The OpenTelemetry semantic-convention name of an exception event. */
export const EXCEPTION_EVENT = 'exception';

export type ColumnPhase = 'stored' | 'live';

export interface ColumnSpanInput {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  /** The span's `boxlite.box.id` (span or resource attribute), if any. */
  boxId?: string;
  startNs: bigint;
  endNs: bigint;
  status: number;
  kind: number;
  /** Times of the span's events, in order. */
  eventNs?: readonly bigint[];
  /** Each event's EVENT_KIND, in the same order (absent or short: the rest are 'other'). */
  eventKind?: ArrayLike<number>;
}

export interface ColumnHeader {
  v: number;
  traceId: string;
  /** 'stored': read from the store when the stream began; 'live': arrived since. */
  phase: ColumnPhase;
  count: number;
  events: number;
  baseNs: string;
  /** The batch's strings; index 0 is always "" (no box id). */
  strings: string[];
  /** With the last 'stored' batch: how many spans the store held for the trace. */
  storedTotal?: number;
  /** Set on the last 'stored' batch (an empty one if the trace had none). */
  storedDone?: boolean;
}

export interface ColumnBatch extends ColumnHeader {
  baseNsBig: bigint;
  /** 8 bytes per span. */
  spanId: Uint8Array;
  /** 8 bytes per span; all zero for a root. */
  parentId: Uint8Array;
  /** ns offsets from baseNs. */
  start: Float64Array;
  end: Float64Array;
  /** Indexes into `strings`. */
  name: Uint32Array;
  service: Uint32Array;
  /** 0 = no box id. */
  boxId: Uint32Array;
  /** 0 unset, 1 ok, 2 error. */
  status: Uint8Array;
  kind: Uint8Array;
  /** Events of span i are eventNs[eventStart[i] .. eventStart[i+1]). */
  eventStart: Uint32Array;
  eventNs: Float64Array;
  /** EVENT_KIND of each event, parallel to eventNs. */
  eventKind: Uint8Array;
}

interface TextCodecs {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new () => { decode(b: Uint8Array): string };
}
const codecs = globalThis as unknown as TextCodecs;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of the 8-byte id at row i of an id column ('' for all zero). */
export function idHex(col: Uint8Array, i: number): string {
  const o = i * 8;
  let zero = true;
  let s = '';
  for (let k = 0; k < 8; k++) {
    const b = col[o + k];
    if (b) zero = false;
    s += HEX[b];
  }
  return zero ? '' : s;
}

function putId(col: Uint8Array, i: number, hex: string | undefined): void {
  if (!hex || hex.length !== 16) return;
  const o = i * 8;
  for (let k = 0; k < 8; k++) {
    const b = parseInt(hex.slice(k * 2, k * 2 + 2), 16);
    col[o + k] = Number.isNaN(b) ? 0 : b;
  }
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Collects spans of one trace into a batch; `finish` returns its bytes. */
export class ColumnWriter {
  private rows: ColumnSpanInput[] = [];
  private events = 0;

  constructor(
    readonly traceId: string,
    readonly phase: ColumnPhase,
  ) {}

  get count(): number {
    return this.rows.length;
  }

  add(span: ColumnSpanInput): void {
    this.rows.push(span);
    this.events += span.eventNs?.length ?? 0;
  }

  finish(extra: Pick<ColumnHeader, 'storedTotal' | 'storedDone'> = {}): Uint8Array<ArrayBuffer> {
    const rows = this.rows;
    const n = rows.length;
    const e = this.events;
    let base: bigint | undefined;
    for (const r of rows) if (base === undefined || r.startNs < base) base = r.startNs;
    base ??= 0n;
    const strings: string[] = [''];
    const ids = new Map<string, number>([['', 0]]);
    const sid = (s: string | undefined) => {
      if (!s) return 0;
      let id = ids.get(s);
      if (id === undefined) {
        id = strings.length;
        strings.push(s);
        ids.set(s, id);
      }
      return id;
    };
    const name = new Uint32Array(n);
    const service = new Uint32Array(n);
    const boxId = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      name[i] = sid(rows[i].name);
      service[i] = sid(rows[i].service);
      boxId[i] = sid(rows[i].boxId);
    }
    const header: ColumnHeader = {
      v: VERSION,
      traceId: this.traceId,
      phase: this.phase,
      count: n,
      events: e,
      baseNs: base.toString(),
      strings,
      ...extra,
    };
    const head = new codecs.TextEncoder().encode(JSON.stringify(header));
    const headEnd = pad8(8 + head.byteLength);
    const size = headEnd + 8 * (2 * n + e) + 4 * (3 * n + n + 1) + 16 * n + 2 * n + e;
    const buf = new ArrayBuffer(pad8(size));
    const dv = new DataView(buf);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, head.byteLength, true);
    new Uint8Array(buf, 8, head.byteLength).set(head);
    let off = headEnd;
    const f64 = (len: number) => {
      const a = new Float64Array(buf, off, len);
      off += 8 * len;
      return a;
    };
    const u32 = (src: Uint32Array | number) => {
      const len = typeof src === 'number' ? src : src.length;
      const a = new Uint32Array(buf, off, len);
      if (typeof src !== 'number') a.set(src);
      off += 4 * len;
      return a;
    };
    const u8 = (len: number) => {
      const a = new Uint8Array(buf, off, len);
      off += len;
      return a;
    };
    const start = f64(n);
    const end = f64(n);
    const eventNs = f64(e);
    u32(name);
    u32(service);
    u32(boxId);
    const eventStart = u32(n + 1);
    const spanIdCol = u8(8 * n);
    const parentCol = u8(8 * n);
    const status = u8(n);
    const kind = u8(n);
    const eventKind = u8(e);
    let ev = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      start[i] = Number(r.startNs - base);
      end[i] = Number(r.endNs - base);
      putId(spanIdCol, i, r.spanId);
      putId(parentCol, i, r.parentSpanId);
      status[i] = r.status;
      kind[i] = r.kind;
      eventStart[i] = ev;
      if (r.eventNs) {
        const kinds = r.eventKind;
        for (let k = 0; k < r.eventNs.length; k++) {
          if (kinds && k < kinds.length) eventKind[ev] = kinds[k];
          eventNs[ev++] = Number(r.eventNs[k] - base);
        }
      }
    }
    eventStart[n] = ev;
    this.rows = [];
    this.events = 0;
    return new Uint8Array(buf);
  }
}

export class ColumnDecodeError extends Error {}

/** Views over one batch's bytes (no copy when the bytes start at an 8-byte boundary). */
export function decodeColumns(input: ArrayBuffer | Uint8Array): ColumnBatch {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteOffset % 8) bytes = bytes.slice();
  const { buffer, byteOffset } = bytes;
  if (bytes.byteLength < 8) throw new ColumnDecodeError('trace columns: truncated header');
  const dv = new DataView(buffer, byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new ColumnDecodeError('trace columns: not a column batch');
  const headLen = dv.getUint32(4, true);
  if (8 + headLen > bytes.byteLength) throw new ColumnDecodeError('trace columns: truncated header');
  const header = JSON.parse(new codecs.TextDecoder().decode(bytes.subarray(8, 8 + headLen))) as ColumnHeader;
  if (header.v !== VERSION) throw new ColumnDecodeError(`trace columns: version ${header.v} is not supported`);
  const n = header.count;
  const e = header.events;
  let off = byteOffset + pad8(8 + headLen);
  const need = pad8(8 + headLen) + 8 * (2 * n + e) + 4 * (4 * n + 1) + 18 * n + e;
  if (!Number.isInteger(n) || !Number.isInteger(e) || n < 0 || e < 0 || need > bytes.byteLength) {
    throw new ColumnDecodeError('trace columns: truncated batch');
  }
  const f64 = (len: number) => {
    const a = new Float64Array(buffer, off, len);
    off += 8 * len;
    return a;
  };
  const u32 = (len: number) => {
    const a = new Uint32Array(buffer, off, len);
    off += 4 * len;
    return a;
  };
  const u8 = (len: number) => {
    const a = new Uint8Array(buffer, off, len);
    off += len;
    return a;
  };
  const start = f64(n);
  const end = f64(n);
  const eventNs = f64(e);
  const name = u32(n);
  const service = u32(n);
  const boxId = u32(n);
  const eventStart = u32(n + 1);
  return {
    ...header,
    baseNsBig: BigInt(header.baseNs),
    start,
    end,
    eventNs,
    name,
    service,
    boxId,
    eventStart,
    spanId: u8(8 * n),
    parentId: u8(8 * n),
    status: u8(n),
    kind: u8(n),
    eventKind: u8(e),
  };
}

const nsBig = (ns: string | undefined): bigint => {
  try {
    return ns ? BigInt(ns) : 0n;
  } catch {
    return 0n;
  }
};

/** The column fields of one whole span (a stored or decoded SpanRecord). */
export function columnInputOf(s: SpanRecord): ColumnSpanInput {
  const box = s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId];
  return {
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    service: s.serviceName,
    boxId: typeof box === 'string' && box ? box : undefined,
    startNs: nsBig(s.startTimeUnixNano),
    endNs: nsBig(s.endTimeUnixNano),
    status: s.status?.code ?? 0,
    kind: s.kind,
    eventNs: s.events.length ? s.events.map((e) => nsBig(e.timeUnixNano)) : undefined,
    eventKind: s.events.some((e) => e.name === EXCEPTION_EVENT)
      ? s.events.map((e) => (e.name === EXCEPTION_EVENT ? EVENT_KIND.exception : EVENT_KIND.other))
      : undefined,
  };
}

/** Spans of one trace as one batch's bytes (tests, small traces, live events). */
export function columnsOf(traceId: string, spans: readonly SpanRecord[], phase: ColumnPhase = 'live'): Uint8Array {
  const w = new ColumnWriter(traceId, phase);
  for (const s of spans) w.add(columnInputOf(s));
  return w.finish();
}
