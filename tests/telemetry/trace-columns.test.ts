/** The store's column batches (traces:columns), one span (traces:span), on a real SQLite file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Attributes, SpanRecord } from '../../shared/models.js';
import { BoxscopeError } from '../../shared/errors.js';
import { EVENT_KIND, columnInputOf, decodeColumns, idHex, type ColumnBatch } from '../../shared/trace-columns.js';
import { createEvents } from '../../electron/core/events.js';
import { openTraceStore, type SqliteTraceStore } from '../../electron/core/store/trace-store.js';
import { SCHEMA_VERSION } from '../../electron/core/store/schema.js';
import { serveColumns, traceColumnHandlers } from '../../electron/core/handlers/trace-columns.js';
import { hexId, tempHome } from './helpers.js';

let env: ReturnType<typeof tempHome>;
let store: SqliteTraceStore | undefined;
beforeEach(() => (env = tempHome()));
afterEach(() => {
  store?.close();
  store = undefined;
  env.cleanup();
});

const BASE = 1_795_000_000_123_456_789n;

/** A varied span: odd nanoseconds, kinds, statuses, box ids on the span or the resource, events. */
function span(traceId: string, i: number, parent?: string): SpanRecord {
  const start = BASE + BigInt(i) * 1_000_003n + BigInt(i % 7);
  return {
    traceId,
    spanId: hexId(8),
    ...(parent ? { parentSpanId: parent } : {}),
    name: `op-${i % 5}`,
    kind: i % 6,
    serviceName: `svc-${i % 3}`,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 999_999_999n + BigInt(i)).toString(),
    attributes: i % 4 === 0 ? { 'boxlite.box.id': `bx-${i % 2}` } : { n: i },
    events: Array.from({ length: i % 3 }, (_, k) => ({
      timeUnixNano: (start + BigInt(k) * 17n + 1n).toString(),
      name: `ev${k}`,
      attributes: {},
    })),
    links: [],
    status: { code: (i % 3) as 0 | 1 | 2 },
    resource: i % 4 === 1 ? { 'service.name': `svc-${i % 3}`, 'boxlite.box.id': 'bx-res' } : { 'service.name': 'x' },
  };
}

function trace(n: number): { traceId: string; spans: SpanRecord[] } {
  const traceId = hexId(16);
  const root = span(traceId, 0);
  const spans = [root];
  for (let i = 1; i < n; i++) spans.push(span(traceId, i, spans[Math.floor(i / 2)]!.spanId));
  return { traceId, spans };
}

/** Every span of some batches, as the fields columnInputOf gives for a stored span. */
function rowsOf(batches: ColumnBatch[]) {
  const out = [];
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      const events = [];
      for (let e = b.eventStart[i]!; e < b.eventStart[i + 1]!; e++) events.push(b.baseNsBig + BigInt(b.eventNs[e]!));
      out.push({
        spanId: idHex(b.spanId, i),
        parentSpanId: idHex(b.parentId, i) || undefined,
        name: b.strings[b.name[i]!],
        service: b.strings[b.service[i]!],
        boxId: b.strings[b.boxId[i]!] || undefined,
        startNs: b.baseNsBig + BigInt(b.start[i]!),
        endNs: b.baseNsBig + BigInt(b.end[i]!),
        status: b.status[i],
        kind: b.kind[i],
        eventNs: events.length ? events : undefined,
      });
    }
  }
  return out;
}

function setup(): { store: SqliteTraceStore; ctx: Parameters<typeof serveColumns>[0] } {
  const s = openTraceStore(env.paths.db);
  store = s;
  const events = createEvents();
  s.subscribe((traceId, spans) => events.emit('spans:added', { traceId, spans }));
  return { store: s, ctx: { store: s, events } };
}

/** Runs the stream until `until` says so, then disposes it. */
async function collect(
  ctx: Parameters<typeof serveColumns>[0],
  traceId: string,
  until: (got: ColumnBatch[]) => boolean,
  during?: (got: ColumnBatch[]) => void,
  pageSize = 100,
): Promise<ColumnBatch[]> {
  const got: ColumnBatch[] = [];
  const ac = new AbortController();
  const done = serveColumns(
    ctx,
    traceId,
    (item) => {
      expect(item).toBeInstanceOf(ArrayBuffer);
      got.push(decodeColumns(item));
      during?.(got);
    },
    ac.signal,
    { pageSize, liveMs: 20 },
  );
  await expect.poll(() => until(got), { timeout: 3000, interval: 10 }).toBe(true);
  ac.abort();
  await done;
  return got;
}

describe('traces:columns', () => {
  it('serves the stored spans exactly to the nanosecond, in pages, the last flagged storedDone', async () => {
    const { store: s, ctx } = setup();
    const { traceId, spans } = trace(250);
    s.addSpans(spans);
    const got = await collect(ctx, traceId, (g) => g.some((b) => b.storedDone));
    expect(got.map((b) => [b.phase, b.count, b.storedDone ?? false])).toEqual([
      ['stored', 100, false],
      ['stored', 100, false],
      ['stored', 50, true],
    ]);
    expect(got[2]!.storedTotal).toBe(250);
    const want = s.getTrace(traceId).map(columnInputOf);
    const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
    expect(rowsOf(got).sort(byId)).toEqual(want.sort(byId));
  });

  it('marks exception events, stored and live, and nothing else that merely mentions one', async () => {
    const { store: s, ctx } = setup();
    const { traceId, spans } = trace(6);
    const ev = (sp: SpanRecord, names: string[]) =>
      (sp.events = names.map((name, k) => ({
        timeUnixNano: (BigInt(sp.startTimeUnixNano) + BigInt(k)).toString(),
        name,
        attributes: (name === 'log' ? { message: 'an "exception" was caught', name: 'exception' } : {}) as Attributes,
      })));
    ev(spans[1]!, ['log', 'exception', 'log', 'exception']);
    ev(spans[2]!, ['log']);
    spans[3]!.attributes = { note: '"exception"', name: 'exception' };
    ev(spans[4]!, ['exception']);
    const kindsById = (got: ColumnBatch[]) => {
      const out = new Map<string, number[]>();
      for (const b of got)
        for (let i = 0; i < b.count; i++)
          out.set(idHex(b.spanId, i), Array.from(b.eventKind.subarray(b.eventStart[i]!, b.eventStart[i + 1]!)));
      return out;
    };
    const expectKinds = (k: Map<string, number[]>) => {
      expect(k.get(spans[1]!.spanId)).toEqual([
        EVENT_KIND.other,
        EVENT_KIND.exception,
        EVENT_KIND.other,
        EVENT_KIND.exception,
      ]);
      expect(k.get(spans[2]!.spanId)).toEqual([EVENT_KIND.other]);
      expect(k.get(spans[3]!.spanId)).toEqual([]);
      expect(k.get(spans[4]!.spanId)).toEqual([EVENT_KIND.exception]);
    };
    s.addSpans(spans.slice(0, 5));
    // From the store: the rows' own columns and, for spans that name an exception, their JSON.
    expectKinds(kindsById(await collect(ctx, traceId, (g) => g.some((b) => b.storedDone))));
    // Live: from the spans as they arrive.
    const other = trace(6);
    for (const [i, names] of [
      [1, ['log', 'exception', 'log', 'exception']],
      [2, ['log']],
      [4, ['exception']],
    ] as const)
      ev(other.spans[i]!, [...names]);
    other.spans[3]!.attributes = { note: '"exception"', name: 'exception' };
    spans.splice(0, spans.length, ...other.spans);
    const live = await collect(
      ctx,
      other.traceId,
      (g) => rowsOf(g).length === 6,
      (g) => {
        if (g.length === 1) setTimeout(() => s.addSpans(other.spans), 5);
      },
    );
    expect(live.slice(1).every((b) => b.phase === 'live')).toBe(true);
    expectKinds(kindsById(live));
  });

  it('sends one empty stored batch with storedDone for a trace with no spans yet, then its spans live', async () => {
    const { store: s, ctx } = setup();
    const { traceId, spans } = trace(30);
    const got = await collect(
      ctx,
      traceId,
      (g) => rowsOf(g).length === 30,
      (g) => {
        if (g.length === 1) setTimeout(() => s.addSpans(spans), 5);
      },
    );
    expect(got[0]).toMatchObject({ phase: 'stored', count: 0, storedDone: true, storedTotal: 0 });
    expect(got.slice(1).every((b) => b.phase === 'live')).toBe(true);
    expect(rowsOf(got.slice(1)).map((r) => r.spanId)).toEqual(spans.map((x) => x.spanId));
  });

  it('loses no span written while the stored spans are being read, and coalesces live ones', async () => {
    const { store: s, ctx } = setup();
    const { traceId, spans } = trace(600);
    s.addSpans(spans.slice(0, 400));
    let wrote = false;
    const got = await collect(
      ctx,
      traceId,
      (g) => new Set(rowsOf(g).map((r) => r.spanId)).size === 600,
      (g) => {
        // Between the first and the second stored page, in 20 separate writes.
        if (g.length === 1 && !wrote) {
          wrote = true;
          for (let i = 400; i < 600; i += 10) s.addSpans(spans.slice(i, i + 10));
        }
      },
    );
    const phases = got.map((b) => b.phase);
    expect(phases.indexOf('live')).toBeGreaterThan(phases.lastIndexOf('stored'));
    expect(got.find((b) => b.storedDone)!.storedTotal).toBe(400);
    // 20 writes arrived within one coalescing window: one live batch, not twenty.
    expect(got.filter((b) => b.phase === 'live').length).toBeLessThanOrEqual(2);
  });

  it('stops reading when disposed', async () => {
    const { store: s, ctx } = setup();
    const { traceId, spans } = trace(1000);
    s.addSpans(spans);
    const ac = new AbortController();
    const got: ArrayBuffer[] = [];
    await serveColumns(ctx, traceId, (b) => (got.push(b), ac.abort()), ac.signal, { pageSize: 100 });
    expect(got).toHaveLength(1);
  });

  it('serves a store written with schema version 1, migrated from its JSON', async () => {
    const { traceId, spans } = trace(40);
    const old = new Database(env.paths.db);
    old.exec(V1_SCHEMA);
    const ins = old.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, start_us, end_us, status, box_id, origin, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
    );
    for (const x of spans) {
      const box = (x.attributes['boxlite.box.id'] ?? x.resource['boxlite.box.id']) as string | undefined;
      const us = Number(BigInt(x.startTimeUnixNano) / 1000n);
      ins.run(
        traceId,
        x.spanId,
        x.parentSpanId ?? null,
        x.serviceName,
        x.name,
        us,
        us + 1,
        x.status.code,
        box ?? null,
        JSON.stringify(x),
      );
    }
    old.prepare(`INSERT INTO traces VALUES (?, 'op-0', 0, 0, NULL, 40, 0, 0, 0, '[]', 1000, 40)`).run(traceId);
    old.pragma('user_version = 1');
    old.close();

    const { ctx } = setup();
    const got = await collect(ctx, traceId, (g) => g.some((b) => b.storedDone));
    const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
    expect(rowsOf(got).sort(byId)).toEqual(spans.map(columnInputOf).sort(byId));
    expect(store!.listTraces()[0]).toMatchObject({ traceId, spanCount: 40 });
    expect(store!.listTraces({ boxId: 'bx-res' }).map((t) => t.traceId)).toEqual([traceId]);
    const db = new Database(env.paths.db, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });
});

describe('traces:span', () => {
  it('returns one whole span, or TRACE_NOT_FOUND', async () => {
    const { store: s } = setup();
    const { traceId, spans } = trace(20);
    s.addSpans(spans);
    const h = traceColumnHandlers({ store: s });
    const opts = { signal: new AbortController().signal };
    expect(await h['traces:span']({ traceId, spanId: spans[7]!.spanId }, opts)).toEqual(spans[7]);
    const miss = h['traces:span']({ traceId, spanId: hexId(8) }, opts);
    await expect(miss).rejects.toBeInstanceOf(BoxscopeError);
    await expect(miss).rejects.toMatchObject({ code: 'TRACE_NOT_FOUND' });
    await expect(h['traces:span']({ traceId: hexId(16), spanId: spans[0]!.spanId }, opts)).rejects.toMatchObject({
      code: 'TRACE_NOT_FOUND',
    });
  });
});

/** The schema the store had at version 1 (before exact ns columns). */
const V1_SCHEMA = `
CREATE TABLE spans (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  service TEXT NOT NULL, name TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,
  status INTEGER NOT NULL, box_id TEXT, origin INTEGER NOT NULL, json TEXT NOT NULL, UNIQUE (trace_id, span_id)
);
CREATE INDEX spans_box ON spans (box_id) WHERE box_id IS NOT NULL;
CREATE TABLE traces (
  trace_id TEXT PRIMARY KEY, root_name TEXT NOT NULL, root_rank INTEGER NOT NULL, root_start_us INTEGER NOT NULL,
  box_id TEXT, span_count INTEGER NOT NULL, error_count INTEGER NOT NULL, start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL, services TEXT NOT NULL, bytes INTEGER NOT NULL, last_seq INTEGER NOT NULL
);
CREATE INDEX traces_start ON traces (start_us);
CREATE INDEX traces_last ON traces (last_seq);
CREATE TABLE box_tokens (token_sha256 TEXT PRIMARY KEY, box_id TEXT NOT NULL, created_ms INTEGER NOT NULL, trace_id TEXT);
`;
