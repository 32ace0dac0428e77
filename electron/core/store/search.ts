/**
 * `traces:search` on the stored spans. SQL narrows the trace to candidates
 * with cheap tests that can only say "maybe" (a word somewhere in the span's
 * JSON, an attribute key present), and only those are parsed and judged by
 * `spanMatches`, so the answer is exactly the shared query semantics.
 */
import type Database from 'better-sqlite3';
import type { SpanRecord, TraceSearchResult } from '../../../shared/models.js';
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
export function prefilter(q: Query): Prefilter {
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
    // Name, service and span id are in the JSON too, as are attribute values (String(number) is their JSON form).
    if (!PLAIN.test(w)) continue;
    where.push(`(json LIKE ? ESCAPE '\\' OR name ${NOT_ASCII} OR service ${NOT_ASCII})`);
    params.push(like(w));
  }
  for (const { key, value } of q.attrs) {
    // `in` also finds Object.prototype's names: leave those to the full test.
    if (key in {}) continue;
    // The value first: it is usually the rarer text, and SQLite stops at the first false term.
    if (value !== null && JSON.stringify(value) === `"${value}"`) {
      where.push('instr(json, ?) > 0');
      params.push(value);
    }
    where.push('instr(json, ?) > 0');
    params.push(`${JSON.stringify(key)}:`);
  }
  return { where, params };
}

/** Candidate rows read per page; between pages the event loop gets a turn and a cancel is seen. */
const PAGE = 4096;

export async function searchTrace(
  db: Database.Database,
  traceId: string,
  query: string,
  limit: number,
  signal?: AbortSignal,
): Promise<TraceSearchResult> {
  const q = parseQuery(query);
  const { where, params } = prefilter(q);
  // Without text or attribute terms, spanMatches reads only name, service and status: no JSON is needed.
  const whole = needsAttributes(q);
  const cols = whole ? 'json' : `span_id, name, service, status`;
  const sql = `SELECT seq, ${cols} FROM spans WHERE trace_id = ? AND seq > ?${where.map((w) => ` AND ${w}`).join('')}
    ORDER BY seq LIMIT ${PAGE}`;
  const stmt = db.prepare<unknown[], [number, string, string, string, number]>(sql).raw(true);
  const matchers = textMatchers(q);
  const spanIds: string[] = [];
  let after = 0;
  for (;;) {
    const rows = stmt.all(traceId, after, ...params);
    for (const r of rows) {
      const s = whole
        ? (JSON.parse(r[1]) as SpanRecord)
        : ({ spanId: r[1], name: r[2], serviceName: r[3], status: { code: r[4] } } as SpanRecord);
      if (!spanMatches(s, q, matchers)) continue;
      if (spanIds.length === limit) return { spanIds, truncated: true };
      spanIds.push(s.spanId);
    }
    if (rows.length < PAGE) return { spanIds, truncated: false };
    after = rows[rows.length - 1]![0];
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw new BoxscopeError('CANCELLED', 'Search cancelled');
  }
}
