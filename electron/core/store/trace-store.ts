/**
 * The embedded trace store: SQLite (WAL) under BOXSCOPE_HOME, shared by the
 * CLI and a running app or `boxscope serve`. Spans are kept as JSON blobs
 * with the columns queries need (schema.ts); a per-trace summary row is
 * maintained incrementally so listing stays cheap for traces of 1M spans.
 * The timeline reads a trace as column pages (columns.ts) without parsing
 * JSON, one span by its id, and searches in SQL first (search.ts).
 */
import crypto from 'node:crypto';
import type { Attributes, SpanRecord, TraceSummary } from '../../../shared/models.js';
import { STORE_DEFAULTS } from '../config.js';
import type { TraceStore } from '../contracts.js';
import { columnReader } from './columns.js';
import { chooseEvictions, type TraceUsage } from './retention.js';
import { openDatabase } from './schema.js';
import { searchTrace } from './search.js';
import { BloomBlock, MIN_BYTES, TermList } from './bloom.js';
import { ROW_JSON, spanOfRow, spanRow, storedColumns, type ResourceInfo, type StoredRow } from './span-row.js';
import { TraceSummaryRow, type TraceRow } from './summary.js';

/** A trace written within this long is taken to be still being written, and is not evicted. */
export const DEFAULT_ACTIVE_MS = 10_000;

export interface StoreOptions {
  /** Traces kept, oldest (least recently written) dropped first. */
  maxTraces?: number;
  /** Total span JSON bytes kept, oldest traces dropped first. */
  maxBytes?: number;
  /** Traces written within this many ms are never evicted (0: only those of the current write). */
  activeMs?: number;
  /** How often spans written by other processes are looked for while someone subscribes. */
  pollMs?: number;
}

export interface SqliteTraceStore extends TraceStore {
  /** Number of spans newly written by the last addSpans (duplicates are ignored). */
  readonly lastInserted: number;
  /** In-process only: spans this process wrote (for forwarding to a collector without duplicates). */
  onLocalAdd(listener: (spans: SpanRecord[]) => void): () => void;
}

const TX_SPANS = 10_000;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function openTraceStore(file: string, opts: StoreOptions = {}): SqliteTraceStore {
  const budget = {
    maxTraces: opts.maxTraces ?? STORE_DEFAULTS.maxTraces,
    maxBytes: opts.maxBytes ?? STORE_DEFAULTS.maxBytes,
  };
  const activeMs = opts.activeMs ?? DEFAULT_ACTIVE_MS;
  const pollMs = opts.pollMs ?? 250;
  const db = openDatabase(file);
  // Tells this process's rows from others' when polling.
  const origin = crypto.randomInt(1, 2 ** 31 - 1);

  const insertSpan = db.prepare(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, start_us, end_us, status, box_id, origin,
       start_ns, end_ns, kind, event_ns, json, res)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id, span_id) DO NOTHING`,
  );
  const findResource = db
    .prepare<[string, string], number>('SELECT id FROM resources WHERE trace_id = ? AND json = ?')
    .pluck();
  const putResource = db.prepare('INSERT INTO resources (trace_id, json) VALUES (?, ?)');
  const getResource = db.prepare<[number], string>('SELECT json FROM resources WHERE id = ?').pluck();
  const lastBloom = db.prepare<
    [string],
    { id: number; lo: number; hi: number; terms: number; spans: number; bits: Buffer }
  >('SELECT id, lo, hi, terms, spans, bits FROM span_blooms WHERE trace_id = ? ORDER BY lo DESC LIMIT 1');
  const putBloom = db.prepare(
    'INSERT INTO span_blooms (trace_id, lo, hi, terms, spans, bits) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setBloom = db.prepare('UPDATE span_blooms SET hi = ?, terms = ?, spans = ?, bits = ? WHERE id = ?');
  const deleteBlooms = db.prepare('DELETE FROM span_blooms WHERE trace_id = ?');
  const deleteResources = db.prepare('DELETE FROM resources WHERE trace_id = ?');
  // Resource rows are never changed and their ids never reused: a bounded cache is always right.
  const resourceCache = new Map<number, Attributes>();
  const resourceOf = (id: number): Attributes => {
    let r = resourceCache.get(id);
    if (!r) {
      if (resourceCache.size > 10_000) resourceCache.clear();
      const json = getResource.get(id);
      resourceCache.set(id, (r = json === undefined ? {} : (JSON.parse(json) as Attributes)));
    }
    return r;
  };
  const toSpan = (r: StoredRow) => spanOfRow(r, resourceOf);
  const getTraceRow = db.prepare<[string], TraceRow>('SELECT * FROM traces WHERE trace_id = ?');
  const upsertTrace = db.prepare(
    `INSERT OR REPLACE INTO traces (trace_id, root_name, root_rank, root_start_us, box_id, span_count, error_count,
       start_us, end_us, services, bytes, last_seq, written_ms)
     VALUES (@trace_id, @root_name, @root_rank, @root_start_us, @box_id, @span_count, @error_count,
       @start_us, @end_us, @services, @bytes, @last_seq, @written_ms)`,
  );
  const selectTrace = db
    .prepare<[string], StoredRow>(`SELECT ${storedColumns()} FROM spans WHERE trace_id = ? ORDER BY start_us, seq`)
    .raw(true);
  const selectSpan = db
    .prepare<[string, string], StoredRow>(`SELECT ${storedColumns()} FROM spans WHERE trace_id = ? AND span_id = ?`)
    .raw(true);
  const hasTrace = db.prepare<[string], number>('SELECT 1 FROM traces WHERE trace_id = ?').pluck();
  const countTraces = db.prepare<[], { n: number; b: number | null }>(
    'SELECT count(*) AS n, sum(bytes) AS b FROM traces',
  );
  const usage = db.prepare<[], TraceUsage>(
    'SELECT trace_id AS traceId, bytes, last_seq AS lastSeq, written_ms AS writtenMs FROM traces',
  );
  const deleteSpans = db.prepare('DELETE FROM spans WHERE trace_id = ?');
  const deleteTrace = db.prepare('DELETE FROM traces WHERE trace_id = ?');
  const deleteBoxes = db.prepare('DELETE FROM trace_boxes WHERE trace_id = ?');
  const putBox = db.prepare('INSERT OR IGNORE INTO trace_boxes (trace_id, box_id) VALUES (?, ?)');
  const maxSeq = db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM spans');
  // Every row after the mark, in seq order, but the JSON only of other processes' rows: the mark moves
  // past this process's own writes too, so a poll never walks the same rows again (an import of 1M
  // spans would otherwise be rescanned four times a second).
  const POLL_PAGE = 5000;
  const newerRows = db
    .prepare<[number, number], [number, ...StoredRow]>(
      `SELECT seq, ${storedColumns('CASE WHEN origin != ? THEN json END')} FROM spans WHERE seq > ? ORDER BY seq LIMIT ${POLL_PAGE}`,
    )
    .raw(true);
  const listAll = db.prepare<[number], TraceRow>('SELECT * FROM traces ORDER BY start_us DESC LIMIT ?');
  const listByBox = db.prepare<[string, number], TraceRow>(
    `SELECT * FROM traces WHERE trace_id IN (SELECT trace_id FROM trace_boxes WHERE box_id = ?)
     ORDER BY start_us DESC LIMIT ?`,
  );
  const putToken = db.prepare(
    'INSERT OR REPLACE INTO box_tokens (token_sha256, box_id, created_ms, trace_id) VALUES (?, ?, ?, ?)',
  );
  const dropTokens = db.prepare('DELETE FROM box_tokens WHERE box_id = ?');
  const getToken = db.prepare<[string], { box_id: string; trace_id: string | null }>(
    'SELECT box_id, trace_id FROM box_tokens WHERE token_sha256 = ?',
  );
  const putGrant = db.prepare('INSERT OR IGNORE INTO box_trace_grants (box_id, trace_id) VALUES (?, ?)');
  const dropGrants = db.prepare('DELETE FROM box_trace_grants WHERE box_id = ?');
  const getGrants = db.prepare<[string], { trace_id: string }>(
    'SELECT trace_id FROM box_trace_grants WHERE box_id = ?',
  );

  const listeners = new Set<(traceId: string, spans: SpanRecord[]) => void>();
  const localListeners = new Set<(spans: SpanRecord[]) => void>();
  let lastInserted = 0;
  let hwm = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Over budget during a burst of many small traces, most of them still being written: the full
  // usage scan runs at most once a second (the budget is exceeded by at most that second's writes).
  let retryAt = 0;
  const enforceRetention = (writing: ReadonlySet<string>) => {
    const now = Date.now();
    if (now < retryAt) return;
    const counts = countTraces.get()!;
    if (counts.n <= budget.maxTraces && (counts.b ?? 0) <= budget.maxBytes) return;
    const evict = chooseEvictions(usage.all(), budget, { writing, activeMs, now });
    retryAt = now + Math.min(1000, activeMs);
    for (const traceId of evict) {
      deleteSpans.run(traceId);
      deleteTrace.run(traceId);
      deleteBoxes.run(traceId);
      deleteBlooms.run(traceId);
      deleteResources.run(traceId);
    }
  };

  /** The trace's resource row for this JSON, found or added (`ids` dedups within one transaction). */
  const resourceId = (traceId: string, res: ResourceInfo, ids: Map<string, number>): number => {
    if (res.traceId === traceId) return res.id!;
    const key = `${traceId}\n${res.json}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = findResource.get(traceId, res.json) ?? Number(putResource.run(traceId, res.json).lastInsertRowid);
      ids.set(key, id);
    }
    res.traceId = traceId;
    res.id = id;
    return id;
  };

  /**
   * Adds this write's spans of one trace to its attribute filters (bloom.ts). The trace's last block
   * grows only if it ends at the trace's last span before this write (no span of the trace lies
   * outside a filter in between); otherwise a new block starts here, but a small write to a trace
   * not covered so far starts none (its spans stay outside every block, which a search always reads).
   */
  const MIN_NEW_BLOCK = 16;
  const addBlooms = (traceId: string, prevLast: number | undefined, pending: TermList) => {
    const stored = prevLast === undefined ? undefined : lastBloom.get(traceId);
    let block: BloomBlock | undefined;
    let nextBytes = MIN_BYTES;
    // The trace's spans are all in blocks so far: keep it so, whatever this write's size.
    const continuing = stored !== undefined && stored.hi === prevLast;
    if (stored) {
      const b = new BloomBlock(stored.lo, stored.hi, stored.bits, stored.terms, stored.spans, stored.id);
      if (continuing && !b.full) block = b;
      nextBytes = b.nextBytes;
    }
    if (!continuing && pending.seqs.length < MIN_NEW_BLOCK) return;
    const save = (b: BloomBlock) => {
      if (b.id !== undefined) setBloom.run(b.hi, b.terms, b.spans, b.bits, b.id);
      else putBloom.run(traceId, b.lo, b.hi, b.terms, b.spans, b.bits);
    };
    let from = 0;
    for (let i = 0; i < pending.seqs.length; i++) {
      const seq = pending.seqs[i]!;
      const to = pending.ends[i]!;
      if (!block || block.full) {
        if (block) {
          save(block);
          nextBytes = block.nextBytes;
        }
        block = BloomBlock.empty(seq, nextBytes);
      }
      block.add(seq, pending.buf, from, to);
      from = to;
    }
    if (block) save(block);
  };

  const addTx = db.transaction((spans: SpanRecord[], writing: ReadonlySet<string>) => {
    const added = new Map<string, SpanRecord[]>();
    const rows = new Map<string, { summary: TraceSummaryRow; prevLast: number | undefined; pending: TermList }>();
    const resources = new WeakMap<Attributes, ResourceInfo>();
    const resIds = new Map<string, number>();
    for (const raw of spans) {
      const r = spanRow(raw, resources);
      const s = r.span;
      const info = insertSpan.run(
        s.traceId,
        s.spanId,
        s.parentSpanId ?? null,
        s.serviceName,
        s.name,
        r.startUs,
        r.endUs,
        s.status.code,
        r.boxId,
        origin,
        r.startNs,
        r.endNs,
        s.kind ?? 0,
        r.eventNs,
        r.json,
        resourceId(s.traceId, r.resource, resIds),
      );
      if (info.changes === 0) continue;
      const lastSeq = Number(info.lastInsertRowid);
      let list = added.get(s.traceId);
      if (!list) added.set(s.traceId, (list = []));
      list.push(s);
      let entry = rows.get(s.traceId);
      if (!entry) {
        const stored = getTraceRow.get(s.traceId);
        entry = {
          summary: new TraceSummaryRow(stored, r, lastSeq),
          prevLast: stored?.last_seq,
          pending: new TermList(),
        };
        rows.set(s.traceId, entry);
      }
      entry.summary.add(r, lastSeq);
      entry.pending.addSpan(lastSeq, s.attributes, s.resource);
    }
    const now = Date.now();
    for (const entry of rows.values()) {
      const row = entry.summary.finish(now);
      upsertTrace.run(row);
      for (const box of entry.summary.boxes) putBox.run(row.trace_id, box);
      addBlooms(row.trace_id, entry.prevLast, entry.pending);
    }
    if (rows.size) enforceRetention(writing);
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
      const added = new Map<string, SpanRecord[]>();
      // A bounded number of pages per tick: a backlog is caught up over a few ticks.
      for (let page = 0; page < 40; page++) {
        const rows = newerRows.all(origin, hwm);
        if (!rows.length) break;
        hwm = rows[rows.length - 1]![0];
        for (const r of rows) {
          // seq comes first, then a StoredRow whose JSON is null for this process's own rows.
          if (r[1 + ROW_JSON] === null) continue;
          const span = toSpan(r.slice(1) as StoredRow);
          let list = added.get(span.traceId);
          if (!list) added.set(span.traceId, (list = []));
          list.push(span);
        }
        if (rows.length < POLL_PAGE) break;
      }
      if (added.size) deliver(added);
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
      // Every trace of this call is being written until the call returns: retention spares them all.
      const writing = new Set<string>();
      for (const s of spans) writing.add(s.traceId);
      // Bounded transactions: a 100k-span import must not hold the write lock other processes wait on.
      const added = new Map<string, SpanRecord[]>();
      for (let i = 0; i < spans.length; i += TX_SPANS) {
        const chunk = i === 0 && spans.length <= TX_SPANS ? spans : spans.slice(i, i + TX_SPANS);
        for (const [traceId, list] of addTx(chunk, writing)) {
          const prev = added.get(traceId);
          if (prev) for (const s of list) prev.push(s);
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
      return selectTrace.all(traceId.toLowerCase()).map(toSpan);
    },
    getSpan(traceId, spanId) {
      const row = selectSpan.get(traceId.toLowerCase(), spanId.toLowerCase());
      return row === undefined ? undefined : toSpan(row);
    },
    hasTrace(traceId) {
      return hasTrace.get(traceId.toLowerCase()) !== undefined;
    },
    searchSpans(traceId, query, limit, signal) {
      return searchTrace(db, traceId.toLowerCase(), query, limit, signal, resourceOf);
    },
    columns(traceId) {
      return columnReader(db, traceId.toLowerCase());
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
      if (closed) return;
      dropTokens.run(boxId);
      dropGrants.run(boxId);
    },
    grantBoxTrace(boxId, traceId) {
      if (!closed) putGrant.run(boxId, traceId);
    },
    grantForToken(token) {
      if (!token || closed) return undefined;
      const row = getToken.get(sha256(token));
      if (!row) return undefined;
      const more = row.trace_id ? getGrants.all(row.box_id).map((g) => g.trace_id) : [];
      return {
        boxId: row.box_id,
        ...(row.trace_id ? { traceId: row.trace_id } : {}),
        ...(more.length ? { traceIds: [row.trace_id!, ...more.filter((t) => t !== row.trace_id)] } : {}),
      };
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
