/** The per-trace summary row (`traces`), kept up to date span by span as they are written. */
import type { SpanRow } from './span-row.js';

/**
 * What a span costs the store beyond its JSON (its columns and index entries), counted in
 * `traces.bytes` so the byte budget stays near the file's size: measured by bench/trace-store.bench.ts
 * as ~770 bytes on disk per span of the bench trace, ~440 of them JSON (schema v3).
 */
export const ROW_OVERHEAD_BYTES = 320;

export interface TraceRow {
  trace_id: string;
  root_name: string;
  root_rank: number;
  root_start_us: number;
  box_id: string | null;
  span_count: number;
  error_count: number;
  start_us: number;
  end_us: number;
  /** JSON list of service names. */
  services: string;
  bytes: number;
  last_seq: number;
  written_ms: number;
}

/** One trace's summary during a write: the stored row (or a new one) plus what this write adds. */
export class TraceSummaryRow {
  readonly row: TraceRow;
  readonly services: Set<string>;
  /** Boxes this write saw spans of. */
  readonly boxes = new Set<string>();

  constructor(stored: TraceRow | undefined, first: SpanRow, lastSeq: number) {
    const s = first.span;
    this.row = stored ?? {
      trace_id: s.traceId,
      root_name: s.name,
      root_rank: s.parentSpanId ? 1 : 0,
      root_start_us: first.startUs,
      box_id: first.boxId,
      span_count: 0,
      error_count: 0,
      start_us: first.startUs,
      end_us: first.endUs,
      services: '[]',
      bytes: 0,
      last_seq: lastSeq,
      written_ms: 0,
    };
    this.services = new Set(JSON.parse(this.row.services) as string[]);
  }

  add(r: SpanRow, lastSeq: number): void {
    const row = this.row;
    const s = r.span;
    // The root: a span without a parent, else the earliest one.
    const rank = s.parentSpanId ? 1 : 0;
    if (rank < row.root_rank || (rank === row.root_rank && r.startUs < row.root_start_us)) {
      row.root_name = s.name;
      row.root_rank = rank;
      row.root_start_us = r.startUs;
    }
    row.box_id ??= r.boxId;
    row.span_count++;
    if (s.status.code === 2) row.error_count++;
    if (r.startUs < row.start_us) row.start_us = r.startUs;
    if (r.endUs > row.end_us) row.end_us = r.endUs;
    this.services.add(s.serviceName);
    if (r.boxId) this.boxes.add(r.boxId);
    row.bytes += r.json.length + ROW_OVERHEAD_BYTES;
    row.last_seq = lastSeq;
  }

  finish(now: number): TraceRow {
    this.row.services = JSON.stringify([...this.services]);
    this.row.written_ms = now;
    return this.row;
  }
}
