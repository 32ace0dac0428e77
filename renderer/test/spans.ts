import type { SpanRecord } from '../../shared/models.js';
import { columnsOf, decodeColumns, type ColumnBatch, type ColumnPhase } from '../../shared/trace-columns.js';
import {
  buildTraceModel,
  eventTimesOf,
  indexOfId,
  nameOf,
  parentIdOf,
  spanIdOf,
  type TraceModel,
} from '../src/model/trace-model.js';

const BASE_MS = 1_764_000_000_000;

/**
 * Span ids are 8 bytes; tests name spans with short labels instead. A label
 * of up to 8 characters becomes the hex of its bytes (zero padded), so it
 * reads back with `label`; a 16-hex-digit id is kept as it is.
 */
export function sid(label: string): string {
  if (/^[0-9a-f]{16}$/.test(label)) return label;
  if (label.length > 8) {
    // Longer labels get a hash (two FNV-1a halves): distinct, but not readable back.
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let k = 0; k < label.length; k++) {
      a = Math.imul(a ^ label.charCodeAt(k), 0x01000193) >>> 0;
      b = Math.imul(b ^ label.charCodeAt(k), 0x811c9dc5) >>> 0;
    }
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
  return Array.from(label, (c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
    .padEnd(16, '0');
}

/** The label of an id made by `sid`. */
export function label(id: string | null | undefined): string {
  if (!id) return '';
  let out = '';
  for (let k = 0; k < 16; k += 2) {
    const c = parseInt(id.slice(k, k + 2), 16);
    if (!c) break;
    out += String.fromCharCode(c);
  }
  return out;
}
const ns = (ms: number) => (BigInt(BASE_MS) * 1_000_000n + BigInt(Math.round(ms * 1e6))).toString();

/** A span with times in milliseconds after a fixed base, for tests; ids are labels (see `sid`). */
export function span(
  spanId: string,
  parentSpanId: string | undefined,
  startMs: number,
  endMs: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId: 'a'.repeat(32),
    spanId: sid(spanId),
    parentSpanId: parentSpanId === undefined ? undefined : sid(parentSpanId),
    name: extra.name ?? spanId,
    kind: 1,
    serviceName: 'boxscope-runner',
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(endMs),
    attributes: {},
    events: [],
    links: [],
    status: { code: 0 },
    resource: {},
    ...extra,
  };
}

/** The shape of a real launch: UI → runner phases → daemon boot. */
export function launchTrace(daemonOffsetMs = 0): SpanRecord[] {
  return [
    span('ui', undefined, 0, 1000, { name: 'box.create', serviceName: 'boxscope-ui' }),
    span('run', 'ui', 5, 990, { name: 'box.launch' }),
    span('auth', 'run', 10, 60, { name: 'registry.auth', attributes: { 'boxscope.registry': 'ghcr.io' } }),
    span('pull', 'run', 60, 600, { name: 'image.pull', attributes: { 'boxscope.pull.bytes': 1234 } }),
    span('create', 'run', 600, 700, { name: 'container.create' }),
    span('start', 'run', 700, 800, { name: 'container.start' }),
    span('wait', 'run', 800, 980, { name: 'daemon.wait' }),
    span('boot', 'wait', 820 + daemonOffsetMs, 900 + daemonOffsetMs, {
      name: 'sandbox.boot',
      serviceName: 'boxlite-daemon',
    }),
    span('proc', 'boot', 850 + daemonOffsetMs, 890 + daemonOffsetMs, {
      name: 'process.start',
      serviceName: 'boxlite-daemon',
    }),
  ];
}

/** Spans as one decoded column batch, as the timeline receives them. */
export function batchOf(spans: readonly SpanRecord[], phase: ColumnPhase = 'stored'): ColumnBatch {
  return decodeColumns(columnsOf(spans[0]?.traceId ?? 'a'.repeat(32), spans, phase));
}

/** The timeline's model of spans given whole. */
export function modelOf(spans: readonly SpanRecord[]): TraceModel {
  return buildTraceModel([batchOf(spans)]);
}

/**
 * Everything a model shows, as plain values, to compare two models built in different ways
 * (service ids may be numbered differently: compared by name; the id index through lookups).
 */
export function modelSnapshot(m: TraceModel) {
  const rows = Array.from({ length: m.size }, (_, i) => ({
    id: spanIdOf(m, i),
    parentId: parentIdOf(m, i),
    name: nameOf(m, i),
    service: m.services[m.serviceOf[i]],
    box: m.strings[m.boxId[i]],
    parent: m.parent[i] >= 0 ? spanIdOf(m, m.parent[i]) : '-',
    depth: m.depth[i],
    end: m.subtreeEnd[i],
    kids: m.childCount[i],
    start: m.start[i],
    finish: m.finish[i],
    orphan: m.orphan[i],
    status: m.status[i],
    kind: m.kind[i],
    events: Array.from(eventTimesOf(m, i)),
    kinds: Array.from(m.eventKind.subarray(m.eventStart[i], m.eventEnd[i])),
    found: indexOfId(m, spanIdOf(m, i)),
  }));
  return {
    size: m.size,
    rows,
    baseMs: m.baseMs,
    errors: Array.from(m.errors),
    orphans: m.orphanCount,
    maxDepth: m.maxDepth,
    traceId: m.traceId,
  };
}
