/** traces:search on a real SQLite store: the answer equals spanMatches over the stored spans. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/models.js';
import { parseQuery, spanMatches } from '../../shared/trace-query.js';
import Database from 'better-sqlite3';
import { openTraceStore, type SqliteTraceStore } from '../../electron/core/store/trace-store.js';
import { SCHEMA_VERSION } from '../../electron/core/store/schema.js';
import { traceColumnHandlers } from '../../electron/core/handlers/trace-columns.js';
import { hexId, tempHome } from './helpers.js';

let env: ReturnType<typeof tempHome>;
let store: SqliteTraceStore;
beforeEach(() => {
  env = tempHome();
  store = openTraceStore(env.paths.db);
});
afterEach(() => {
  store.close();
  env.cleanup();
});

const NAMES = ['GET /users', 'db.query', 'layer.pull', '\u212Aafka-topic', 'İstanbul', 'quote"d', 'pct%_under'];
const VALUES = ['alpha', 'Bravo Charlie', 'x"y', 'a\\b', 'déjà vu', '50%_off', 'ERROR timeout', 'ümlaut'];

function varied(traceId: string, n: number): SpanRecord[] {
  return Array.from({ length: n }, (_, i): SpanRecord => {
    // `uid` is one span's own: a search for it rules out most attribute-filter blocks.
    const attributes: SpanRecord['attributes'] = { 'http.status_code': [200, 404, 500][i % 3]!, uid: i };
    if (i % 2) attributes['note'] = VALUES[i % VALUES.length]!;
    if (i % 5 === 0) attributes['tags'] = ['red', 'blue'];
    if (i % 7 === 0) attributes['flag'] = i % 14 === 0;
    if (i % 11 === 0) attributes['weird"key'] = 'v';
    // The span's own value wins over its resource's (spanMatches reads attributes first).
    if (i % 13 === 0) attributes['host.name'] = 'box-c';
    return {
      traceId,
      spanId: hexId(8),
      name: NAMES[i % NAMES.length]!,
      kind: 1,
      serviceName: ['boxscope-runner', 'boxlite-daemon', 'Ünicode-svc'][i % 3]!,
      startTimeUnixNano: String(1_795_000_000_000_000_000n + BigInt(i)),
      endTimeUnixNano: String(1_795_000_000_000_100_000n + BigInt(i)),
      attributes,
      events: [],
      links: [],
      status: { code: i % 9 === 0 ? 2 : 0 },
      resource: { 'service.name': 'x', 'host.name': i % 4 ? 'box-a' : 'box-b', ...(i % 6 ? {} : { 'k8s.pod': 'p1' }) },
    };
  });
}

const QUERIES = [
  '',
  'alpha',
  'bravo',
  'charlie bravo',
  'users',
  'get',
  'k',
  'kafka',
  'service:kafka',
  'i',
  'istanbul',
  'déjà',
  'ümlaut',
  'ünicode',
  '"',
  'x"y',
  'a\\b',
  '%',
  '50%_off',
  '_',
  '404',
  '40',
  'true',
  'red',
  '["red","blue"]',
  'is:error',
  'is:error timeout',
  'service:runner',
  'service:ünicode',
  'service:daemon name:pull',
  'name:query',
  'host.name=box-b',
  'host.name=box',
  'host.name=box-a',
  'host.name=box-c',
  'host.name=*',
  'service.name=x',
  'k8s.pod=*',
  'k8s.pod=p1 is:error',
  'http.status_code=500',
  'http.status_code=*',
  'flag=true',
  'flag=false',
  'weird"key=v',
  'note=x"y',
  'tags=["red","blue"]',
  'toString=*',
  'constructor=*',
  'missing=*',
  'note=alpha dur>5ms',
  'nothing-matches-this',
  'uid=0',
  'uid=2',
  'uid=9',
  'uid=12',
  'uid=45',
  'uid=199',
  'uid=250',
  'uid=599',
  'uid=9 is:error',
];

describe('traces:search', () => {
  it('equals filtering the stored spans with spanMatches, for every kind of term', async () => {
    const traceId = hexId(16);
    store.addSpans(varied(traceId, 400));
    const stored = store.getTrace(traceId);
    for (const query of QUERIES) {
      const q = parseQuery(query);
      const want = stored.filter((s) => spanMatches(s, q)).map((s) => s.spanId);
      const got = await store.searchSpans(traceId, query, 100_000);
      expect({ query, ids: [...got.spanIds].sort() }).toEqual({ query, ids: [...want].sort() });
      expect(got.truncated).toBe(false);
    }
  });

  it('stays exact when spans arrive in writes of every size, among other traces', async () => {
    const traceId = hexId(16);
    const other = hexId(16);
    const spans = varied(traceId, 600);
    const noise = varied(other, 600);
    // Small writes (outside any filter block), then big ones (in blocks), then small ones again.
    const sizes = [1, 3, 7, 40, 200, 5, 1, 150, 2, 100, 64, 27];
    let at = 0;
    for (const n of sizes) {
      store.addSpans(spans.slice(at, at + n));
      store.addSpans(noise.slice(at, at + n));
      at += n;
    }
    store.addSpans(spans.slice(at));
    const stored = store.getTrace(traceId);
    expect(stored).toHaveLength(600);
    for (const query of QUERIES) {
      const q = parseQuery(query);
      const want = stored.filter((s) => spanMatches(s, q)).map((s) => s.spanId);
      const got = await store.searchSpans(traceId, query, 100_000);
      expect({ query, ids: [...got.spanIds].sort() }).toEqual({ query, ids: [...want].sort() });
    }
  });

  it('skips the blocks whose attribute filter rules a KEY=VALUE out', async () => {
    const traceId = hexId(16);
    const spans = varied(traceId, 20_000);
    spans[12_345]!.attributes['layer.index'] = 4242;
    store.addSpans(spans);
    const db = new Database(env.paths.db, { readonly: true });
    const blocks = db.prepare('SELECT lo, hi FROM span_blooms WHERE trace_id = ?').all(traceId) as {
      lo: number;
      hi: number;
    }[];
    db.close();
    expect(blocks.length).toBeGreaterThan(10);
    const got = await store.searchSpans(traceId, 'layer.index=4242', 100);
    expect(got.spanIds).toEqual([spans[12_345]!.spanId]);
    // Read through the profile: SQLite's own count of rows stepped by the search's statement is not
    // exposed, so the filters are checked directly — all but a few say "no".
    const { queryTerm, mayHold } = await import('../../electron/core/store/bloom.js');
    const term = queryTerm('layer.index', '4242');
    const db2 = new Database(env.paths.db, { readonly: true });
    const maybe = (
      db2.prepare('SELECT bits FROM span_blooms WHERE trace_id = ?').pluck().all(traceId) as Buffer[]
    ).filter((b) => mayHold(b, term)).length;
    db2.close();
    expect(maybe).toBeGreaterThanOrEqual(1);
    expect(maybe).toBeLessThan(blocks.length / 4);
  });

  it('reports truncation at the limit, and TRACE_NOT_FOUND for a trace it does not have', async () => {
    const traceId = hexId(16);
    store.addSpans(varied(traceId, 50));
    const h = traceColumnHandlers({ store });
    const opts = { signal: new AbortController().signal };
    const r = await h['traces:search']({ traceId, query: 'service:runner', limit: 3 }, opts);
    expect(r).toMatchObject({ truncated: true });
    expect(r.spanIds).toHaveLength(3);
    await expect(h['traces:search']({ traceId: hexId(16), query: 'x' }, opts)).rejects.toMatchObject({
      code: 'TRACE_NOT_FOUND',
    });
  });

  it('finds the traces of a version-2 store, old rows and new ones alike', async () => {
    store.close();
    env.cleanup();
    env = tempHome();
    const traceId = hexId(16);
    const spans = varied(traceId, 300);
    const old = new Database(env.paths.db);
    old.exec(V2_SCHEMA);
    const ins = old.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, start_us, end_us, status, box_id, origin,
         start_ns, end_ns, kind, event_ns, json) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, NULL, 1, ?, ?, 1, NULL, ?)`,
    );
    for (const x of spans.slice(0, 200)) {
      const us = Number(BigInt(x.startTimeUnixNano) / 1000n);
      ins.run(
        traceId,
        x.spanId,
        x.serviceName,
        x.name,
        us,
        us,
        x.status.code,
        BigInt(x.startTimeUnixNano),
        BigInt(x.endTimeUnixNano),
        JSON.stringify(x),
      );
    }
    old
      .prepare(`INSERT INTO traces VALUES (?, 'GET /users', 0, 0, NULL, 200, 0, 0, 0, '["x"]', 1000, 200, 0)`)
      .run(traceId);
    old.pragma('user_version = 2');
    old.close();

    store = openTraceStore(env.paths.db);
    expect(store.listTraces()).toMatchObject([{ traceId, spanCount: 200 }]);
    expect(store.getSpan(traceId, spans[17]!.spanId)).toEqual(spans[17]);
    // Spans added after the migration go to the same trace, in the new row form.
    store.addSpans(spans.slice(200));
    const stored = store.getTrace(traceId);
    const byId = (a: SpanRecord, b: SpanRecord) => a.spanId.localeCompare(b.spanId);
    expect([...stored].sort(byId)).toEqual([...spans].sort(byId));
    for (const query of QUERIES) {
      const q = parseQuery(query);
      const want = spans.filter((s) => spanMatches(s, q)).map((s) => s.spanId);
      const got = await store.searchSpans(traceId, query, 100_000);
      expect({ query, ids: [...got.spanIds].sort() }).toEqual({ query, ids: [...want].sort() });
    }
    const db = new Database(env.paths.db, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });
});

/** The store's tables at schema version 2 (whole-span JSON, no resources or filters). */
const V2_SCHEMA = `
CREATE TABLE spans (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  service TEXT NOT NULL, name TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,
  status INTEGER NOT NULL, box_id TEXT, origin INTEGER NOT NULL, start_ns INTEGER NOT NULL DEFAULT 0,
  end_ns INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0, event_ns TEXT, json TEXT NOT NULL,
  UNIQUE (trace_id, span_id)
);
CREATE INDEX spans_trace_seq ON spans (trace_id, seq);
CREATE TABLE traces (
  trace_id TEXT PRIMARY KEY, root_name TEXT NOT NULL, root_rank INTEGER NOT NULL, root_start_us INTEGER NOT NULL,
  box_id TEXT, span_count INTEGER NOT NULL, error_count INTEGER NOT NULL, start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL, services TEXT NOT NULL, bytes INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  written_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX traces_start ON traces (start_us);
CREATE INDEX traces_last ON traces (last_seq);
CREATE TABLE trace_boxes (trace_id TEXT NOT NULL, box_id TEXT NOT NULL, PRIMARY KEY (box_id, trace_id)) WITHOUT ROWID;
CREATE INDEX trace_boxes_trace ON trace_boxes (trace_id);
CREATE TABLE box_tokens (token_sha256 TEXT PRIMARY KEY, box_id TEXT NOT NULL, created_ms INTEGER NOT NULL, trace_id TEXT);
CREATE TABLE box_trace_grants (box_id TEXT NOT NULL, trace_id TEXT NOT NULL, PRIMARY KEY (box_id, trace_id)) WITHOUT ROWID;
`;
