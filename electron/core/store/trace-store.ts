/**
 * The embedded trace store: SQLite (WAL) under BOXSCOPE_HOME, shared by the
 * CLI and a running app or `boxscope serve`. Spans are kept as JSON blobs
 * with the columns queries need; a per-trace summary row is maintained
 * incrementally so listing stays cheap for traces of 100k spans.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { SpanRecord, TraceSummary } from '../../../shared/models.js';
import { ATTR } from '../../../shared/constants.js';
import type { TraceStore } from '../contracts.js';
import { cleanAttributes } from '../otlp/attributes.js';

export interface StoreOptions {
  /** Traces kept, oldest (least recently written) dropped first. */
  maxTraces?: number;
  /** Total span JSON bytes kept, oldest traces dropped first. */
  maxBytes?: number;
  /** How often spans written by other processes are looked for while someone subscribes. */
  pollMs?: number;
}

export interface SqliteTraceStore extends TraceStore {
  /** Number of spans newly written by the last addSpans (duplicates are ignored). */
  readonly lastInserted: number;
  /** In-process only: spans this process wrote (for forwarding to a collector without duplicates). */
  onLocalAdd(listener: (spans: SpanRecord[]) => void): () => void;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  status INTEGER NOT NULL,
  box_id TEXT,
  origin INTEGER NOT NULL,
  json TEXT NOT NULL,
  UNIQUE (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_box ON spans (box_id) WHERE box_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY,
  root_name TEXT NOT NULL,
  root_rank INTEGER NOT NULL,
  root_start_us INTEGER NOT NULL,
  box_id TEXT,
  span_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  services TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  last_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_start ON traces (start_us);
CREATE INDEX IF NOT EXISTS traces_last ON traces (last_seq);
CREATE TABLE IF NOT EXISTS box_tokens (
  token_sha256 TEXT PRIMARY KEY,
  box_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  trace_id TEXT
);
`;

/** ns decimal string → µs integer: fits a JS number exactly, and orders correctly. */
function toMicros(ns: string): number {
  try {
    return Number(BigInt(ns) / 1000n);
  } catch {
    return 0;
  }
}

function boxIdOf(s: SpanRecord): string | undefined {
  const v = s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId];
  return typeof v === 'string' && v ? v : undefined;
}

const TX_SPANS = 5000;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

interface TraceRow {
  trace_id: string;
  root_name: string;
  root_rank: number;
  root_start_us: number;
  box_id: string | null;
  span_count: number;
  error_count: number;
  start_us: number;
  end_us: number;
  services: string;
  bytes: number;
  last_seq: number;
}

/**
 * The store holds every box's spans: only this user may read it. SQLite gives
 * the -wal and -shm files the database file's own mode, so the file is made
 * 0600 before SQLite opens it (and stores from older versions are tightened).
 */
function privateFiles(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch {
      // Not there yet: SQLite creates it with the database's mode.
    }
  }
}

export function openTraceStore(file: string, opts: StoreOptions = {}): SqliteTraceStore {
  const maxTraces = opts.maxTraces ?? 1000;
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  const pollMs = opts.pollMs ?? 250;
  privateFiles(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`the trace store ${file} was written by a newer Boxscope (schema ${version})`);
  }
  db.exec(SCHEMA);
  // A store made before tokens were bound to a trace: add the column (old tokens stay unbound).
  const tokenCols = db.prepare<[], { name: string }>('PRAGMA table_info(box_tokens)').all();
  if (!tokenCols.some((c) => c.name === 'trace_id')) db.exec('ALTER TABLE box_tokens ADD COLUMN trace_id TEXT');
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  // Tells this process's rows from others' when polling.
  const origin = crypto.randomInt(1, 2 ** 31 - 1);

  const insertSpan = db.prepare(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, start_us, end_us, status, box_id, origin, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id, span_id) DO NOTHING`,
  );
  const getTraceRow = db.prepare<[string], TraceRow>('SELECT * FROM traces WHERE trace_id = ?');
  const upsertTrace = db.prepare(
    `INSERT OR REPLACE INTO traces (trace_id, root_name, root_rank, root_start_us, box_id, span_count, error_count,
       start_us, end_us, services, bytes, last_seq)
     VALUES (@trace_id, @root_name, @root_rank, @root_start_us, @box_id, @span_count, @error_count,
       @start_us, @end_us, @services, @bytes, @last_seq)`,
  );
  const selectTrace = db.prepare<[string], { json: string }>(
    'SELECT json FROM spans WHERE trace_id = ? ORDER BY start_us, seq',
  );
  const countTraces = db.prepare<[], { n: number; b: number | null }>(
    'SELECT count(*) AS n, sum(bytes) AS b FROM traces',
  );
  const oldestTraces = db.prepare<[number], { trace_id: string; bytes: number }>(
    'SELECT trace_id, bytes FROM traces ORDER BY last_seq LIMIT ?',
  );
  const deleteSpans = db.prepare('DELETE FROM spans WHERE trace_id = ?');
  const deleteTrace = db.prepare('DELETE FROM traces WHERE trace_id = ?');
  const maxSeq = db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM spans');
  const newerForeign = db.prepare<[number, number], { seq: number; trace_id: string; json: string }>(
    'SELECT seq, trace_id, json FROM spans WHERE seq > ? AND origin != ? ORDER BY seq LIMIT 5000',
  );
  const listAll = db.prepare<[number], TraceRow>('SELECT * FROM traces ORDER BY start_us DESC LIMIT ?');
  const listByBox = db.prepare<[string, number], TraceRow>(
    `SELECT * FROM traces WHERE trace_id IN (SELECT DISTINCT trace_id FROM spans WHERE box_id = ?)
     ORDER BY start_us DESC LIMIT ?`,
  );
  const putToken = db.prepare(
    'INSERT OR REPLACE INTO box_tokens (token_sha256, box_id, created_ms, trace_id) VALUES (?, ?, ?, ?)',
  );
  const dropTokens = db.prepare('DELETE FROM box_tokens WHERE box_id = ?');
  const getToken = db.prepare<[string], { box_id: string; trace_id: string | null }>(
    'SELECT box_id, trace_id FROM box_tokens WHERE token_sha256 = ?',
  );

  const listeners = new Set<(traceId: string, spans: SpanRecord[]) => void>();
  const localListeners = new Set<(spans: SpanRecord[]) => void>();
  let lastInserted = 0;
  let hwm = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const enforceRetention = () => {
    const counts = countTraces.get()!;
    let n = counts.n;
    let bytes = counts.b ?? 0;
    if (n <= maxTraces && bytes <= maxBytes) return;
    // Keep at least the most recently written trace, however large.
    const victims = oldestTraces.all(Math.max(0, n - 1));
    for (const v of victims) {
      if (n <= maxTraces && bytes <= maxBytes) break;
      deleteSpans.run(v.trace_id);
      deleteTrace.run(v.trace_id);
      n--;
      bytes -= v.bytes;
    }
  };

  const addTx = db.transaction((spans: SpanRecord[]) => {
    const added = new Map<string, SpanRecord[]>();
    const rows = new Map<string, TraceRow>();
    for (const raw of spans) {
      const s: SpanRecord = {
        ...raw,
        attributes: cleanAttributes(raw.attributes),
        resource: cleanAttributes(raw.resource),
        events: raw.events.map((e) => ({ ...e, attributes: cleanAttributes(e.attributes) })),
        links: raw.links.map((l) => ({ ...l, attributes: cleanAttributes(l.attributes) })),
      };
      const json = JSON.stringify(s);
      const startUs = toMicros(s.startTimeUnixNano);
      const endUs = Math.max(startUs, toMicros(s.endTimeUnixNano));
      const boxId = boxIdOf(s);
      const info = insertSpan.run(
        s.traceId,
        s.spanId,
        s.parentSpanId ?? null,
        s.serviceName,
        s.name,
        startUs,
        endUs,
        s.status.code,
        boxId ?? null,
        origin,
        json,
      );
      if (info.changes === 0) continue;
      const lastSeq = Number(info.lastInsertRowid);
      let list = added.get(s.traceId);
      if (!list) added.set(s.traceId, (list = []));
      list.push(s);
      let row = rows.get(s.traceId) ?? getTraceRow.get(s.traceId);
      const rank = s.parentSpanId ? 1 : 0;
      if (!row) {
        row = {
          trace_id: s.traceId,
          root_name: s.name,
          root_rank: rank,
          root_start_us: startUs,
          box_id: boxId ?? null,
          span_count: 0,
          error_count: 0,
          start_us: startUs,
          end_us: endUs,
          services: '[]',
          bytes: 0,
          last_seq: lastSeq,
        };
      }
      if (rank < row.root_rank || (rank === row.root_rank && startUs < row.root_start_us)) {
        row.root_name = s.name;
        row.root_rank = rank;
        row.root_start_us = startUs;
      }
      row.box_id ??= boxId ?? null;
      row.span_count++;
      if (s.status.code === 2) row.error_count++;
      row.start_us = Math.min(row.start_us, startUs);
      row.end_us = Math.max(row.end_us, endUs);
      const services: string[] = JSON.parse(row.services);
      if (!services.includes(s.serviceName)) row.services = JSON.stringify([...services, s.serviceName]);
      row.bytes += json.length;
      row.last_seq = lastSeq;
      rows.set(s.traceId, row);
    }
    for (const row of rows.values()) upsertTrace.run(row);
    if (rows.size) enforceRetention();
    return added;
  });

  const deliver = (added: Map<string, SpanRecord[]>) => {
    for (const [traceId, list] of added) {
      for (const l of listeners) {
        try {
          l(traceId, list);
        } catch {
          // One broken listener must not stop the others or the writer.
        }
      }
    }
  };

  const poll = () => {
    if (closed) return;
    try {
      const rows = newerForeign.all(hwm, origin);
      if (rows.length) {
        hwm = rows[rows.length - 1]!.seq;
        const added = new Map<string, SpanRecord[]>();
        for (const r of rows) {
          let list = added.get(r.trace_id);
          if (!list) added.set(r.trace_id, (list = []));
          list.push(JSON.parse(r.json) as SpanRecord);
        }
        deliver(added);
      }
    } catch {
      // A busy or vanished database is retried on the next tick.
    }
  };

  const store: SqliteTraceStore = {
    get lastInserted() {
      return lastInserted;
    },
    addSpans(spans) {
      if (closed || spans.length === 0) {
        lastInserted = 0;
        return;
      }
      // Bounded transactions: a 100k-span import must not hold the write lock other processes wait on.
      const added = new Map<string, SpanRecord[]>();
      for (let i = 0; i < spans.length; i += TX_SPANS) {
        for (const [traceId, list] of addTx(spans.slice(i, i + TX_SPANS))) {
          const prev = added.get(traceId);
          if (prev) prev.push(...list);
          else added.set(traceId, list);
        }
      }
      lastInserted = 0;
      for (const l of added.values()) lastInserted += l.length;
      if (added.size === 0) return;
      deliver(added);
      if (localListeners.size) {
        const all = [...added.values()].flat();
        for (const l of localListeners) {
          try {
            l(all);
          } catch {
            // Forwarding is best effort.
          }
        }
      }
    },
    getTrace(traceId) {
      return selectTrace.all(traceId.toLowerCase()).map((r) => JSON.parse(r.json) as SpanRecord);
    },
    listTraces({ boxId, limit } = {}) {
      const lim = Math.max(1, Math.min(limit ?? 100, 10_000));
      const rows = boxId ? listByBox.all(boxId, lim) : listAll.all(lim);
      return rows.map((r): TraceSummary => ({
        traceId: r.trace_id,
        rootName: r.root_name,
        ...(r.box_id ? { boxId: r.box_id } : {}),
        spanCount: r.span_count,
        errorCount: r.error_count,
        startMs: r.start_us / 1000,
        durationMs: (r.end_us - r.start_us) / 1000,
        services: JSON.parse(r.services),
      }));
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!timer && !closed) {
        hwm = maxSeq.get()?.s ?? 0;
        timer = setInterval(poll, pollMs);
        // Watching for other processes' spans must never keep a CLI process alive.
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    onLocalAdd(listener) {
      localListeners.add(listener);
      return () => void localListeners.delete(listener);
    },
    registerBoxToken(boxId, token, traceId) {
      putToken.run(sha256(token), boxId, Date.now(), traceId ?? null);
    },
    boxForToken(token) {
      if (!token || closed) return undefined;
      return getToken.get(sha256(token))?.box_id;
    },
    revokeBoxTokens(boxId) {
      if (!closed) dropTokens.run(boxId);
    },
    grantForToken(token) {
      if (!token || closed) return undefined;
      const row = getToken.get(sha256(token));
      return row ? { boxId: row.box_id, ...(row.trace_id ? { traceId: row.trace_id } : {}) } : undefined;
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      listeners.clear();
      localListeners.clear();
      db.close();
    },
  };
  return store;
}
