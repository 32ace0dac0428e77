import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../../shared/models.js';
import { EVENT_KIND, type ColumnBatch } from '../../../shared/trace-columns.js';
import { LiveModel } from './trace-append.js';
import { TraceFeed } from './trace-feed.js';
import { buildTraceModel, eventTimesOf, hasException, indexOfId, parentIdOf, spanIdOf } from './trace-model.js';
import { batchOf, label, modelSnapshot, sid, span } from '../../test/spans.js';

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random trace: a root first, every other span under an earlier one (some under a missing parent). */
function randomTrace(seed: number, n: number): SpanRecord[] {
  const r = rng(seed);
  const out: SpanRecord[] = [span('s0', undefined, 0, 1000, { name: 'root' })];
  for (let i = 1; i < n; i++) {
    const parent = r() < 0.03 ? 'gone' : `s${Math.floor(r() * i)}`;
    // Whole milliseconds, so siblings often start together (ties go by arrival).
    const start = 1 + Math.floor(r() * 40);
    const events = r() < 0.2 ? [{ timeUnixNano: '', name: r() < 0.5 ? 'exception' : 'log', attributes: {} }] : [];
    const s = span(`s${i}`, parent, start, start + Math.floor(r() * 30), {
      name: `op${i % 7}`,
      serviceName: `svc${Math.floor(r() * 4)}`,
      status: { code: r() < 0.1 ? 2 : 0 },
      attributes: r() < 0.3 ? { 'boxlite.box.id': `box${i % 3}` } : {},
    });
    for (const e of events) e.timeUnixNano = s.startTimeUnixNano;
    s.events = events;
    out.push(s);
  }
  return out;
}

function shuffle<T>(xs: T[], r: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('LiveModel.append', () => {
  it('gives the model a whole build gives, batch after batch, whatever order spans arrive in', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const spans = randomTrace(seed, 400);
      const r = rng(seed * 7);
      // The root (earliest) first; the rest in any order, so children often arrive before their parents
      // (odd seeds), or parents always first but new spans landing all over the tree (even seeds).
      const order = seed % 2 ? [spans[0], ...shuffle(spans.slice(1), r)] : spans.slice();
      // Some spans are sent again (same place, a later end and another status).
      for (let k = 0; k < 20; k++) {
        const s = order[1 + Math.floor(r() * (order.length - 1))];
        order.push({ ...s, endTimeUnixNano: (BigInt(s.endTimeUnixNano) + 5_000_000n).toString(), status: { code: 2 } });
      }
      const batches: ColumnBatch[] = [];
      const first = 50;
      batches.push(batchOf(order.slice(0, first)));
      let at = first;
      const live = new LiveModel(buildTraceModel(batches));
      while (at < order.length) {
        const len = 1 + Math.floor(r() * 40);
        const b = batchOf(order.slice(at, at + len), 'live');
        at += len;
        batches.push(b);
        expect(live.append([b])).toBe(true);
        expect(modelSnapshot(live.model())).toEqual(modelSnapshot(buildTraceModel(batches)));
      }
      // Every parent but the missing one arrived: only spans under "gone" stay orphans.
      const m = live.model();
      for (let i = 0; i < m.size; i++) expect(m.orphan[i] === 1).toBe(parentIdOf(m, i) === sid('gone'));
    }
  });

  it('moves an orphan and its subtree under a parent that arrives later, at its place among siblings', () => {
    const live = new LiveModel(
      buildTraceModel([
        batchOf([span('root', undefined, 0, 100), span('a', 'root', 10, 20), span('c', 'root', 30, 40)]),
        batchOf([span('kid', 'b', 22, 25), span('grand', 'kid', 23, 24)]),
      ]),
    );
    expect(live.model().orphanCount).toBe(1);
    expect(live.append([batchOf([span('b', 'root', 21, 28)], 'live')])).toBe(true);
    const m = live.model();
    expect(Array.from({ length: m.size }, (_, i) => label(spanIdOf(m, i)))).toEqual([
      'root',
      'a',
      'b',
      'kid',
      'grand',
      'c',
    ]);
    expect(Array.from(m.depth)).toEqual([0, 1, 1, 2, 3, 1]);
    expect(m.orphanCount).toBe(0);
    expect(m.childCount[indexOfId(m, sid('root'))]).toBe(3);
    expect(m.subtreeEnd[indexOfId(m, sid('b'))]).toBe(5);
  });

  it('appends spans that start after their siblings without touching the rows before them', () => {
    const base = [
      span('root', undefined, 0, 100),
      ...Array.from({ length: 100 }, (_, i) => span(`k${i}`, 'root', i, i + 1)),
    ];
    const live = new LiveModel(buildTraceModel([batchOf(base)]));
    const before = live.model();
    const parentCol = before.parent;
    const firstRows = Array.from(before.idLo.subarray(0, 101));
    expect(live.append([batchOf([span('late', 'root', 500, 501)], 'live')])).toBe(true);
    const m = live.model();
    expect(m.size).toBe(102);
    expect(label(spanIdOf(m, 101))).toBe('late');
    expect(m.subtreeEnd[0]).toBe(102);
    // The same buffers (room to grow), the earlier rows as they were.
    expect(m.parent.buffer).toBe(parentCol.buffer);
    expect(Array.from(m.idLo.subarray(0, 101))).toEqual(firstRows);
  });

  it('gives up (for a whole build) on a span sent again elsewhere, an earlier base or a parent cycle', () => {
    const stored = () =>
      new LiveModel(buildTraceModel([batchOf([span('root', undefined, 10, 100), span('a', 'root', 20, 30)])]));
    expect(stored().append([batchOf([span('a', 'root', 25, 30)], 'live')])).toBe(false);
    expect(stored().append([batchOf([span('early', 'root', 0, 30)], 'live')])).toBe(false);
    const cyc = new LiveModel(buildTraceModel([batchOf([span('root', undefined, 10, 100), span('x', 'y', 20, 30)])]));
    expect(cyc.append([batchOf([span('y', 'x', 21, 30)], 'live')])).toBe(false);
  });

  it('grows its columns by doubling while keeping every row', () => {
    const live = new LiveModel(buildTraceModel([batchOf([span('root', undefined, 0, 1)])]));
    const all = [batchOf([span('root', undefined, 0, 1)])];
    for (let b = 0; b < 30; b++) {
      const batch = batchOf(
        Array.from({ length: 200 }, (_, k) => span(`g${b * 200 + k}`, 'root', 1 + b, 2 + b)),
        'live',
      );
      all.push(batch);
      expect(live.append([batch])).toBe(true);
    }
    expect(modelSnapshot(live.model())).toEqual(modelSnapshot(buildTraceModel(all)));
  });
});

describe('TraceFeed with live batches', () => {
  it('appends small live batches once the stored spans are in, and builds whole when they outgrow the model', () => {
    const feed = new TraceFeed();
    feed.add(batchOf([span('root', undefined, 0, 100), span('a', 'root', 1, 2)], 'stored'), 0);
    feed.add({ ...batchOf([], 'stored'), storedDone: true, storedTotal: 2 }, 0);
    expect(feed.build().size).toBe(2);
    feed.add(batchOf([span('b', 'root', 3, 4)], 'live'), 10);
    // Due at once: the view shows it at its next animation frame.
    expect(feed.due(10)).toBe(0);
    const m = feed.build();
    expect(feed.lastBuild).toBe('append');
    expect(m.size).toBe(3);
    feed.add(batchOf([span('c', 'root', 5, 6), span('d', 'root', 7, 8), span('e', 'root', 9, 10)], 'live'), 20);
    expect(feed.build().size).toBe(6);
    expect(feed.lastBuild).toBe('whole');
    // A span that does not fit (an earlier start than the trace's base) is shown by a whole build.
    feed.add(batchOf([span('pre', 'root', -50, 1)], 'live'), 30);
    const pre = feed.build();
    expect(feed.lastBuild).toBe('whole');
    expect(label(spanIdOf(pre, 1))).toBe('pre');
  });
});

describe('exception marks', () => {
  it('carries which events are exceptions from the spans to the model, through whole builds and appends', () => {
    const ev = (name: string, ms: number) => ({
      timeUnixNano: (BigInt(1_764_000_000_000) * 1_000_000n + BigInt(ms * 1e6)).toString(),
      name,
      attributes: {},
    });
    const root = span('root', undefined, 0, 100, { events: [ev('log', 1), ev('exception', 2)] });
    const whole = buildTraceModel([batchOf([root])]);
    expect(Array.from(whole.eventKind.subarray(whole.eventStart[0], whole.eventEnd[0]))).toEqual([
      EVENT_KIND.other,
      EVENT_KIND.exception,
    ]);
    expect(hasException(whole, 0)).toBe(true);
    const live = new LiveModel(whole);
    live.append([
      batchOf(
        [
          span('ok', 'root', 5, 6, { events: [ev('log', 5)] }),
          span('bad', 'root', 7, 8, { events: [ev('exception', 7)] }),
        ],
        'live',
      ),
    ]);
    const m = live.model();
    expect(hasException(m, indexOfId(m, sid('ok')))).toBe(false);
    expect(hasException(m, indexOfId(m, sid('bad')))).toBe(true);
    expect(Array.from(eventTimesOf(m, indexOfId(m, sid('bad'))))).toEqual([7]);
  });
});
