/** Retention: the one eviction decision, and the store never dropping a trace while it is being written. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/models.js';
import { chooseEvictions } from '../../electron/core/store/retention.js';
import { openTraceStore } from '../../electron/core/store/trace-store.js';
import { parseBytes, storeLimits } from '../../electron/core/config.js';
import { hexId, tempHome } from './helpers.js';

const fat = 'x'.repeat(1000);
function spans(traceId: string, n: number): SpanRecord[] {
  return Array.from({ length: n }, () => ({
    traceId,
    spanId: hexId(8),
    name: 'work',
    kind: 1,
    serviceName: 'svc',
    startTimeUnixNano: '1795000000000000000',
    endTimeUnixNano: '1795000000000001000',
    attributes: { fat },
    events: [],
    links: [],
    status: { code: 0 },
    resource: {},
  }));
}

describe('chooseEvictions', () => {
  const t = (traceId: string, bytes: number, lastSeq: number, writtenMs = 0) => ({
    traceId,
    bytes,
    lastSeq,
    writtenMs,
  });
  const policy = { writing: new Set<string>(), activeMs: 0, now: 10_000 };

  it('drops least recently written first, until within both budgets', () => {
    const all = [t('c', 10, 3), t('a', 10, 1), t('b', 10, 2), t('d', 10, 4)];
    expect(chooseEvictions(all, { maxTraces: 10, maxBytes: 25 }, policy)).toEqual(['a', 'b']);
    expect(chooseEvictions(all, { maxTraces: 3, maxBytes: 1000 }, policy)).toEqual(['a']);
    expect(chooseEvictions(all, { maxTraces: 4, maxBytes: 40 }, policy)).toEqual([]);
  });

  it('never drops a trace being written or written within activeMs, even over budget', () => {
    const all = [t('import', 100, 1, 9_500), t('old', 10, 2, 1_000), t('now', 10, 3, 10_000)];
    const p = { writing: new Set(['now']), activeMs: 1000, now: 10_000 };
    expect(chooseEvictions(all, { maxTraces: 1, maxBytes: 50 }, p)).toEqual(['old']);
  });
});

describe('store retention', () => {
  let env: ReturnType<typeof tempHome>;
  beforeEach(() => (env = tempHome()));
  afterEach(() => env.cleanup());

  it('keeps a trace larger than the budget whole while one call writes it in many transactions', () => {
    const s = openTraceStore(env.paths.db, { maxBytes: 200_000, activeMs: 0 });
    try {
      const older = hexId(16);
      s.addSpans(spans(older, 10));
      const big = hexId(16);
      s.addSpans(spans(big, 12_000));
      expect(s.getTrace(big)).toHaveLength(12_000);
      expect(s.getTrace(older)).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('keeps an import written in slices while other traces arrive, and lets it go once it is idle', async () => {
    const s = openTraceStore(env.paths.db, { maxBytes: 100_000, activeMs: 300 });
    try {
      const big = hexId(16);
      const all = spans(big, 600);
      const others: string[] = [];
      for (let i = 0; i < all.length; i += 100) {
        s.addSpans(all.slice(i, i + 100));
        const other = hexId(16);
        others.push(other);
        s.addSpans(spans(other, 1));
      }
      expect(s.getTrace(big)).toHaveLength(600);
      await new Promise((r) => setTimeout(r, 350));
      s.addSpans(spans(hexId(16), 1));
      expect(s.getTrace(big)).toEqual([]);
    } finally {
      s.close();
    }
  });
});

describe('store budget setting', () => {
  it('reads BOXSCOPE_STORE_MAX_BYTES with units, defaulting to 4 GiB', () => {
    expect(storeLimits({}).maxBytes).toBe(4 * 1024 ** 3);
    expect(storeLimits({ BOXSCOPE_STORE_MAX_BYTES: '8GiB' }).maxBytes).toBe(8 * 1024 ** 3);
    expect(storeLimits({ BOXSCOPE_STORE_MAX_BYTES: '512m' }).maxBytes).toBe(512 * 1024 ** 2);
    expect(storeLimits({ BOXSCOPE_STORE_MAX_BYTES: 'lots' }).maxBytes).toBe(4 * 1024 ** 3);
    expect(storeLimits({ BOXSCOPE_MAX_TRACE_BYTES: '1000' }).maxBytes).toBe(1000);
    expect(storeLimits({ BOXSCOPE_MAX_TRACES: '5' }).maxTraces).toBe(5);
    expect(parseBytes('0')).toBeUndefined();
  });
});
