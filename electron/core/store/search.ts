/**
 * `traces:search` on the stored spans. SQL narrows the trace to candidates
 * with cheap tests that can only say "maybe" (a word somewhere in the span's
 * JSON, an attribute key present), and only those are parsed and judged by
 * `spanMatches`, so the answer is exactly the shared query semantics. With
 * `KEY=VALUE` terms, the blocks whose attribute filters (bloom.ts) rule a
 * term out are not read at all; `KEY=*` alone is answered by SQL's JSON
 * functions; a text word the span's name or service holds needs no JSON.
 */
import type Database from 'better-sqlite3';
import type { Attributes, SpanRecord, TraceSearchResult } from '../../../shared/models.js';
import { mayHold, queryTerm, type Term } from './bloom.js';
import { spanOfRow, type StoredRow } from './span-row.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { needsAttributes, parseQuery, spanMatches, textMatchers, type Query } from '../../../shared/trace-query.js';

/** Printable ASCII without `"` and `\`: such a word appears verbatim in JSON, and LIKE folds its case as JS does. */
const PLAIN = /^[ !#-[\]-~]*$/;
/** Names with other characters may lower-case to ASCII in JS ('K' → 'k') where SQL's ASCII-only folding does not. */
const NOT_ASCII = `GLOB '*[^ -~]*'`;

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Prefilter {
  where: string[];
  params: unknown[];
}

/** SQL conditions every match satisfies (a superset test: candidates are judged in full afterwards). */
export function prefilter(q: Query, resourceIds: (needles: string[]) => number[] = () => []): Prefilter {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.errorOnly) where.push('status = 2');
  const folded = (col: string, word: string) => {
    if (!PLAIN.test(word)) return;
    where.push(`(${col} LIKE ? ESCAPE '\\' OR ${col} ${NOT_ASCII})`);
    params.push(like(word));
  };
  for (const w of q.service) folded('service', w);
  for (const w of q.name) folded('name', w);
  for (const w of q.text) {
    // Attribute values are in the JSON (String(number) is their JSON form); name, service and span id are
    // columns (and in a version-2 row's JSON too).
    if (!PLAIN.test(w)) continue;
    where.push(
      `(name LIKE ? ESCAPE '\\' OR service LIKE ? ESCAPE '\\' OR span_id = ? OR json LIKE ? ESCAPE '\\' OR name ${NOT_ASCII} OR service ${NOT_ASCII})`,
    );
    params.push(like(w), like(w), w, like(w));
  }
  for (const { key, value } of q.attrs) {
    // `in` also finds Object.prototype's names: leave those to the full test.
    if (key in {}) continue;
    // The JSON holds a matching attribute as `"KEY":` and the value in one of the forms whose text
    // spanMatches compares: a string, a number, boolean, list or map (as written), or null ('').
    const k = `${JSON.stringify(key)}:`;
    const needles = value === null ? [k] : [k + JSON.stringify(value), ...(value === '' ? [`${k}null`] : [k + value])];
    // Version-3 rows keep the resource in a row of its own: one that holds a needle may answer too.
    const ids = resourceIds(needles).join(',');
    const own = needles.map(() => 'instr(json, ?) > 0').join(' OR ');
    where.push(ids ? `(${own} OR res IN (${ids}))` : `(${own})`);
    params.push(...needles);
  }
  return { where, params };
}

/** The exact SQL test of `KEY=*` terms, with prefilter's column terms. */
function presenceFilter(q: Query, db: Database.Database, traceId: string): Prefilter {
  const { where, params } = prefilter({ ...q, attrs: [] });
  for (const { key } of q.attrs) {
    const path = (root: string) => `$${root}."${key}"`;
    const ids = db
      .prepare<[string, string], number>(
        'SELECT id FROM resources WHERE trace_id = ? AND json_type(json, ?) IS NOT NULL',
      )
      .pluck()
      .all(traceId, path(''))
      .join(',');
    // A version-2 row (res NULL) holds its resource in its own JSON.
    where.push(
      `(json_type(json, ?) IS NOT NULL${ids ? ` OR res IN (${ids})` : ''} OR (res IS NULL AND json_type(json, ?) IS NOT NULL))`,
    );
    params.push(path('.attributes'), path('.resource'));
  }
  return { where, params };
}

/** Candidate rows read per page; between pages the event loop gets a turn and a cancel is seen. */
const PAGE = 4096;

/**
 * The seq ranges of the trace a search reads, (after, upTo] each: everything but the blocks whose
 * filter rules out one of the terms.
 */
function rangesToRead(db: Database.Database, traceId: string, terms: Term[]): Array<[number, number]> {
  const all: Array<[number, number]> = [[0, Number.MAX_SAFE_INTEGER]];
  if (!terms.length) return all;
  const blocks = db
    .prepare<[string], [number, number, Buffer]>('SELECT lo, hi, bits FROM span_blooms WHERE trace_id = ? ORDER BY lo')
    .raw(true)
    .all(traceId);
  const out: Array<[number, number]> = [];
  let after = 0;
  for (const [lo, hi, bits] of blocks) {
    if (terms.every((t) => mayHold(bits, t))) continue;
    if (lo - 1 > after) out.push([after, lo - 1]);
    after = hi;
  }
  out.push([after, Number.MAX_SAFE_INTEGER]);
  return out;
}

export async function searchTrace(
  db: Database.Database,
  traceId: string,
  query: string,
  limit: number,
  signal?: AbortSignal,
  resourceOf: (id: number) => Attributes = () => ({}),
): Promise<TraceSearchResult> {
  const q = parseQuery(query);
  const resourceIds = (needles: string[]) =>
    db
      .prepare<unknown[], number>(
        `SELECT id FROM resources WHERE trace_id = ? AND (${needles.map(() => 'instr(json, ?) > 0').join(' OR ')})`,
      )
      .pluck()
      .all(traceId, ...needles);
  // Only `KEY=*` terms (and column terms): SQL's JSON functions answer presence exactly, so no row
  // is parsed here. Keys that need quoting inside a JSON path are left to the general way.
  const presence =
    q.text.length === 0 &&
    q.attrs.length > 0 &&
    q.attrs.every(({ key, value }) => value === null && key !== '' && !(key in {}) && !/["\\]/.test(key));
  const { where, params } = presence ? presenceFilter(q, db, traceId) : prefilter(q, resourceIds);
  const judged: Query = presence ? { ...q, attrs: [] } : q;
  // Without attribute terms, a span whose name or service holds every text word is judged on its columns.
  const columnsAnswer = q.attrs.length === 0;
  const byColumns = q.text.filter((w) => PLAIN.test(w));
  const skipJson =
    columnsAnswer && byColumns.length === q.text.length && byColumns.length
      ? byColumns.map(() => `(name LIKE ? ESCAPE '\\' OR service LIKE ? ESCAPE '\\')`).join(' AND ')
      : undefined;
  const skipParams = skipJson ? byColumns.flatMap((w) => [like(w), like(w)]) : [];
  const whole = needsAttributes(judged);
  // The columns (and JSON) a whole span is made of are read only for the rows that need them.
  const need = !whole ? '0' : skipJson ? `(${skipJson}) = 0` : '1';
  const when = (col: string) => (need === '1' ? col : need === '0' ? 'NULL' : `CASE WHEN ${need} THEN ${col} END`);
  const sql = `SELECT seq, status, trace_id, span_id, ${when('parent_span_id')}, name, service, kind,
      ${when('CAST(start_ns AS TEXT)')}, ${when('CAST(end_ns AS TEXT)')}, res, ${when('json')} FROM spans
    WHERE trace_id = ? AND seq > ? AND seq <= ?${where.map((w) => ` AND ${w}`).join('')}
    ORDER BY seq LIMIT ${PAGE}`;
  const stmt = db.prepare<unknown[], [number, number, ...StoredRow]>(sql).raw(true);
  const repeat = need === '1' || need === '0' ? [] : skipParams;
  const matchers = textMatchers(q);
  const terms = q.attrs.flatMap(({ key, value }) => (value === null || key in {} ? [] : [queryTerm(key, value)]));
  const spanIds: string[] = [];
  for (const [from, upTo] of rangesToRead(db, traceId, terms)) {
    let after = from;
    for (;;) {
      const rows = stmt.all(...repeat, ...repeat, ...repeat, ...repeat, traceId, after, upTo, ...params);
      for (const r of rows) {
        const row = r.slice(2) as StoredRow;
        const s =
          row[9] !== null
            ? spanOfRow(row, resourceOf)
            : ({
                spanId: row[1],
                name: row[3],
                serviceName: row[4],
                status: { code: r[1] },
                attributes: {},
              } as SpanRecord);
        if (!spanMatches(s, judged, matchers)) continue;
        if (spanIds.length === limit) return { spanIds, truncated: true };
        spanIds.push(s.spanId);
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]![0];
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw new BoxscopeError('CANCELLED', 'Search cancelled');
    }
  }
  return { spanIds, truncated: false };
}
