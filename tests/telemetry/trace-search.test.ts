/** traces:search on a real SQLite store: the answer equals spanMatches over the stored spans. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/models.js';
import { parseQuery, spanMatches } from '../../shared/trace-query.js';
import { openTraceStore, type SqliteTraceStore } from '../../electron/core/store/trace-store.js';
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
    const attributes: SpanRecord['attributes'] = { 'http.status_code': [200, 404, 500][i % 3]! };
    if (i % 2) attributes['note'] = VALUES[i % VALUES.length]!;
    if (i % 5 === 0) attributes['tags'] = ['red', 'blue'];
    if (i % 7 === 0) attributes['flag'] = i % 14 === 0;
    if (i % 11 === 0) attributes['weird"key'] = 'v';
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
});
