/**
 * The trace store's tables and their migrations. Version 2 adds what the
 * timeline's column batches need without parsing a span's JSON: exact
 * nanosecond times (`start_ns`, `end_ns`), `kind`, the events' times
 * (`event_ns`: decimal ns joined by commas, NULL without events), an index
 * to page through one trace in write order, and `traces.written_ms` (when a
 * trace was last written, which retention spares for a while). Which boxes a
 * trace has spans of moves from a per-span index to `trace_boxes`, one row
 * per trace and box, so a span insert updates one index fewer. Version 3
 * (docs/STORE.md) keeps in a span's JSON only what no column holds, its
 * resource as a row of `resources` (one per trace and distinct resource),
 * and per-block attribute filters in `span_blooms` for search.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

export const SCHEMA_VERSION = 3;

const SPANS = `
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
  start_ns INTEGER NOT NULL DEFAULT 0,
  end_ns INTEGER NOT NULL DEFAULT 0,
  kind INTEGER NOT NULL DEFAULT 0,
  event_ns TEXT,
  json TEXT NOT NULL,
  res INTEGER,
  UNIQUE (trace_id, span_id)
);`;

const REST = `
CREATE INDEX IF NOT EXISTS spans_trace_seq ON spans (trace_id, seq);
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
  last_seq INTEGER NOT NULL,
  written_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS traces_start ON traces (start_us);
CREATE INDEX IF NOT EXISTS traces_last ON traces (last_seq);
CREATE TABLE IF NOT EXISTS trace_boxes (
  trace_id TEXT NOT NULL,
  box_id TEXT NOT NULL,
  PRIMARY KEY (box_id, trace_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trace_boxes_trace ON trace_boxes (trace_id);
CREATE TABLE IF NOT EXISTS resources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id TEXT NOT NULL,
  json TEXT NOT NULL,
  UNIQUE (trace_id, json)
);
CREATE TABLE IF NOT EXISTS span_blooms (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  lo INTEGER NOT NULL,
  hi INTEGER NOT NULL,
  terms INTEGER NOT NULL,
  spans INTEGER NOT NULL,
  bits BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS span_blooms_trace ON span_blooms (trace_id, lo);
CREATE TABLE IF NOT EXISTS box_tokens (
  token_sha256 TEXT PRIMARY KEY,
  box_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  trace_id TEXT
);
CREATE TABLE IF NOT EXISTS box_trace_grants (
  box_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  PRIMARY KEY (box_id, trace_id)
) WITHOUT ROWID;
`;

/**
 * Version 1 → 2: the new columns are derived once from each row's JSON, in
 * SQL (exact: the ns strings are cast to 64-bit integers, not rounded through
 * microseconds). Runs in one transaction, so a crash leaves a version-1 store.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE spans ADD COLUMN start_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN end_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN event_ns TEXT;
UPDATE spans SET
  start_ns = CAST(json_extract(json, '$.startTimeUnixNano') AS INTEGER),
  end_ns = CAST(json_extract(json, '$.endTimeUnixNano') AS INTEGER),
  kind = coalesce(json_extract(json, '$.kind'), 0),
  event_ns = (SELECT group_concat(CAST(json_extract(e.value, '$.timeUnixNano') AS INTEGER), ',')
              FROM json_each(spans.json, '$.events') AS e);
`;

/**
 * Version 2 → 3: new rows keep in `json` only what no column holds and point
 * at their resource (`res`, a row of `resources`); search skips blocks of
 * spans by their attribute filters (`span_blooms`, bloom.ts). Rows written
 * before keep their whole-span JSON (res NULL) and, having no filter, are
 * always searched: nothing is rewritten.
 */
const MIGRATE_2_TO_3 = `ALTER TABLE spans ADD COLUMN res INTEGER;`;

const columnsOf = (db: Database.Database, table: string) =>
  new Set(
    db
      .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
      .all()
      .map((c) => c.name),
  );

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

/** Opens (creating or migrating) the store's database. */
export function openDatabase(file: string): Database.Database {
  privateFiles(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  // Bulk imports touch the (trace_id, span_id) index at random: a 64 MiB page cache keeps it from thrashing.
  db.pragma('cache_size = -65536');
  // Checkpoints (each with its fsyncs) every 128 MiB of WAL rather than every 4 MiB: a bulk import spends
  // most of its time in them otherwise. The WAL is cut back to that size after each.
  db.pragma('wal_autocheckpoint = 32768');
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`the trace store ${file} was written by a newer Boxscope (schema ${version})`);
  }
  db.transaction(() => {
    const spanCols = columnsOf(db, 'spans');
    if (spanCols.size && !spanCols.has('start_ns')) db.exec(MIGRATE_1_TO_2);
    else db.exec(SPANS);
    if (spanCols.size && !spanCols.has('res')) db.exec(MIGRATE_2_TO_3);
    const traceCols = columnsOf(db, 'traces');
    if (traceCols.size && !traceCols.has('written_ms'))
      db.exec('ALTER TABLE traces ADD COLUMN written_ms INTEGER NOT NULL DEFAULT 0');
    db.exec(REST);
    if (spanCols.size && !spanCols.has('start_ns')) {
      db.exec(`INSERT OR IGNORE INTO trace_boxes (trace_id, box_id)
        SELECT DISTINCT trace_id, box_id FROM spans WHERE box_id IS NOT NULL`);
      db.exec('DROP INDEX IF EXISTS spans_box');
    }
    // A store made before tokens were bound to a trace: add the column (old tokens stay unbound).
    if (!columnsOf(db, 'box_tokens').has('trace_id')) db.exec('ALTER TABLE box_tokens ADD COLUMN trace_id TEXT');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  return db;
}
