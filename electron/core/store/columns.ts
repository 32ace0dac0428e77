/**
 * Reading one trace's column fields straight from the query columns (no
 * span JSON is parsed), a page at a time in write order, so a 1M-span trace
 * is never in memory at once.
 */
import type Database from 'better-sqlite3';
import { EVENT_KIND, EXCEPTION_EVENT, type ColumnSpanInput } from '../../../shared/trace-columns.js';
import type { ColumnReader } from '../contracts.js';

type Raw = [
  seq: bigint,
  spanId: string,
  parent: string | null,
  name: string,
  service: string,
  boxId: string | null,
  startNs: bigint,
  endNs: bigint,
  status: bigint,
  kind: bigint,
  eventNs: string | null,
  exceptions: string | null,
];

const eventTimes = (text: string): bigint[] => text.split(',').map((t) => BigInt(t));

/** Event kinds from the indexes of a span's exception events ("0,3"); events after the last are 'other'. */
function exceptionKinds(exceptions: string): Uint8Array {
  const at = exceptions.split(',').map(Number);
  const kinds = new Uint8Array(Math.max(...at) + 1);
  for (const k of at) kinds[k] = EVENT_KIND.exception;
  return kinds;
}

/**
 * Which of a span's events are exceptions (docs/CONTRACTS.md "Trace columns"): read from its JSON, only for
 * spans whose JSON names an exception at all, so the spans of most traces cost a substring test. (`spans.json`:
 * json_each has a `json` column of its own.)
 */
const EXCEPTIONS = `CASE WHEN event_ns IS NOT NULL AND instr(json, '"${EXCEPTION_EVENT}"') THEN
  (SELECT group_concat(e.key, ',') FROM json_each(spans.json, '$.events') AS e
   WHERE json_extract(e.value, '$.name') = '${EXCEPTION_EVENT}') END`;

export function columnReader(db: Database.Database, traceId: string): ColumnReader {
  const page = db
    .prepare<[string, bigint, bigint, number], Raw>(
      `SELECT seq, span_id, parent_span_id, name, service, box_id, start_ns, end_ns, status, kind, event_ns,
         ${EXCEPTIONS}
       FROM spans WHERE trace_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    )
    .safeIntegers(true)
    .raw(true);
  const top = db
    .prepare<[string], bigint | null>('SELECT max(seq) FROM spans WHERE trace_id = ?')
    .safeIntegers(true)
    .pluck()
    .get(traceId);
  const last = top ?? 0n;
  let after = 0n;
  let done = top === null || top === undefined;
  return {
    next(pageSize) {
      if (done) return { spans: [], done };
      const rows = page.all(traceId, after, last, pageSize);
      const spans = rows.map((r): ColumnSpanInput => ({
        spanId: r[1],
        parentSpanId: r[2] ?? undefined,
        name: r[3],
        service: r[4],
        boxId: r[5] ?? undefined,
        startNs: r[6],
        endNs: r[7],
        status: Number(r[8]),
        kind: Number(r[9]),
        eventNs: r[10] ? eventTimes(r[10]) : undefined,
        eventKind: r[11] ? exceptionKinds(r[11]) : undefined,
      }));
      if (rows.length) after = rows[rows.length - 1]![0];
      done = rows.length < pageSize || after >= last;
      return { spans, done };
    },
  };
}
