import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  buildTraceModel,
  childrenOf,
  eventTimesOf,
  indexOfId,
  nameOf,
  parentIdOf,
  spanIdOf,
  type TraceModel,
} from './trace-model.js';
import { batchOf, label, launchTrace, modelOf, modelSnapshot, sid, span } from '../../test/spans.js';

const ids = (m: TraceModel, rows: Iterable<number> = Array.from({ length: m.size }, (_, i) => i)) =>
  Array.from(rows, (i) => label(spanIdOf(m, i)));
const at = (m: TraceModel, l: string) => indexOfId(m, sid(l));

describe('buildTraceModel', () => {
  it('lays the tree out in preorder with children sorted by start', () => {
    const m = modelOf(launchTrace().reverse());
    expect(ids(m)).toEqual(['ui', 'run', 'auth', 'pull', 'create', 'start', 'wait', 'boot', 'proc']);
    expect(Array.from(m.depth)).toEqual([0, 1, 2, 2, 2, 2, 2, 3, 4]);
    expect(m.subtreeEnd[at(m, 'run')]).toBe(9);
    expect(m.subtreeEnd[at(m, 'auth')]).toBe(3);
    expect(ids(m, childrenOf(m, 1))).toEqual(['auth', 'pull', 'create', 'start', 'wait']);
    expect(ids(m, ancestorsOf(m, at(m, 'proc')))).toEqual(['boot', 'wait', 'run', 'ui']);
    expect(m.orphanCount).toBe(0);
    expect(m.services).toEqual(['boxscope-ui', 'boxscope-runner', 'boxlite-daemon']);
    expect(nameOf(m, at(m, 'boot'))).toBe('sandbox.boot');
    expect(m.traceId).toBe('a'.repeat(32));
    expect(indexOfId(m, 'f'.repeat(16))).toBe(-1);
    expect(indexOfId(m, 'not an id')).toBe(-1);
  });

  it('keeps sub-millisecond precision of nanosecond timestamps, events included', () => {
    const m = modelOf([
      span('a', undefined, 0.25, 0.250123, {
        events: [{ timeUnixNano: '1764000000000250100', name: 'x', attributes: {} }],
      }),
    ]);
    expect(m.baseMs).toBe(1_764_000_000_000);
    expect(m.finish[0] - m.start[0]).toBeCloseTo(0.000123, 12);
    expect(m.start[0]).toBe(0.25);
    expect(Array.from(eventTimesOf(m, 0))).toEqual([0.2501]);
  });

  it('builds the same model from shuffled batches, children before their parents', () => {
    const spans = [
      ...launchTrace(-300),
      span('bad', 'pull', 100, 200, {
        status: { code: 2 },
        attributes: { 'boxlite.box.id': 'box-1' },
        events: [{ timeUnixNano: '1764000000000150000', name: 'retry', attributes: {} }],
      }),
      span('lost', 'gone', 10, 20),
    ];
    const whole = modelOf(spans);
    // Deepest first, in three batches with different bases and string tables.
    const shuffled = [...spans].reverse();
    const parts = [shuffled.slice(0, 3), shuffled.slice(3, 7), shuffled.slice(7)].map((p) => batchOf(p, 'live'));
    const pieced = buildTraceModel(parts);
    expect(modelSnapshot(pieced)).toEqual(modelSnapshot(whole));
    expect(whole.strings[whole.boxId[at(whole, 'bad')]]).toBe('box-1');
    expect(Array.from(whole.errors)).toEqual([at(whole, 'bad')]);
  });

  it('marks spans whose parent is missing as incomplete roots', () => {
    const m = modelOf([span('root', undefined, 0, 10), span('lost', 'nowhere', 2, 5), span('kid', 'lost', 3, 4)]);
    expect(m.orphanCount).toBe(1);
    const lost = at(m, 'lost');
    expect(m.orphan[lost]).toBe(1);
    expect(m.parent[lost]).toBe(-1);
    expect(label(parentIdOf(m, lost))).toBe('nowhere');
    expect(m.parent[at(m, 'kid')]).toBe(lost);
  });

  it('breaks parent cycles instead of looping', () => {
    const m = modelOf([span('a', 'b', 0, 10), span('b', 'a', 1, 5)]);
    expect(m.size).toBe(2);
    expect(m.orphanCount).toBe(1);
  });

  it('handles a 100k-deep chain and a 100k-wide fan-out without recursion', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`c${i}`, i ? `c${i - 1}` : undefined, i * 0.001, 200));
    const deep = modelOf(chain);
    expect(deep.maxDepth).toBe(99_999);
    expect(deep.subtreeEnd[0]).toBe(100_000);
    const wide = [
      span('r', undefined, 0, 200),
      ...Array.from({ length: 100_000 }, (_, i) => span(`w${i}`, 'r', 100 - i * 0.001, 150)),
    ];
    const flat = modelOf(wide);
    expect(flat.childCount[0]).toBe(100_000);
    expect(label(spanIdOf(flat, 1))).toBe('w99999');
  });

  it('lists error spans and deduplicates repeated span ids, the last one winning', () => {
    const m = modelOf([
      span('a', undefined, 0, 10),
      span('b', 'a', 1, 2),
      span('b', 'a', 1, 3, { status: { code: 2, message: 'boom' } }),
    ]);
    expect(m.size).toBe(2);
    expect(Array.from(m.errors)).toEqual([1]);
    expect(m.finish[1]).toBe(3);
    const again = buildTraceModel([batchOf([span('a', undefined, 0, 10)]), batchOf([span('a', undefined, 0, 12)])]);
    expect(again.size).toBe(1);
    expect(again.finish[0]).toBe(12);
  });

  it('is empty without batches or spans', () => {
    expect(buildTraceModel([]).size).toBe(0);
    expect(buildTraceModel([batchOf([])]).size).toBe(0);
  });
});
