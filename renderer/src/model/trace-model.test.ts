import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildTraceModel, childrenOf } from './trace-model.js';
import { launchTrace, span } from '../../test/spans.js';

describe('buildTraceModel', () => {
  it('lays the tree out in preorder with children sorted by start', () => {
    const shuffled = launchTrace().reverse();
    const m = buildTraceModel(shuffled);
    expect(m.spans.map((s) => s.spanId)).toEqual([
      'ui',
      'run',
      'auth',
      'pull',
      'create',
      'start',
      'wait',
      'boot',
      'proc',
    ]);
    expect(Array.from(m.depth)).toEqual([0, 1, 2, 2, 2, 2, 2, 3, 4]);
    expect(m.subtreeEnd[m.indexById.get('run')!]).toBe(9);
    expect(m.subtreeEnd[m.indexById.get('auth')!]).toBe(3);
    expect(childrenOf(m, 1).map((i) => m.spans[i].spanId)).toEqual(['auth', 'pull', 'create', 'start', 'wait']);
    expect(ancestorsOf(m, m.indexById.get('proc')!).map((i) => m.spans[i].spanId)).toEqual([
      'boot',
      'wait',
      'run',
      'ui',
    ]);
    expect(m.orphanCount).toBe(0);
    expect(m.services).toEqual(['boxscope-ui', 'boxscope-runner', 'boxlite-daemon']);
  });

  it('keeps sub-millisecond precision of nanosecond timestamps', () => {
    const m = buildTraceModel([span('a', undefined, 0, 0.000123)]);
    expect(m.finish[0] - m.start[0]).toBeCloseTo(0.000123, 9);
  });

  it('marks spans whose parent is missing as incomplete roots', () => {
    const m = buildTraceModel([
      span('root', undefined, 0, 10),
      span('lost', 'nowhere', 2, 5),
      span('kid', 'lost', 3, 4),
    ]);
    expect(m.orphanCount).toBe(1);
    const lost = m.indexById.get('lost')!;
    expect(m.orphan[lost]).toBe(1);
    expect(m.parent[lost]).toBe(-1);
    expect(m.parent[m.indexById.get('kid')!]).toBe(lost);
  });

  it('breaks parent cycles instead of looping', () => {
    const m = buildTraceModel([span('a', 'b', 0, 10), span('b', 'a', 1, 5)]);
    expect(m.size).toBe(2);
    expect(m.orphanCount).toBe(1);
  });

  it('handles a 100k-deep chain and a 100k-wide fan-out without recursion', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`c${i}`, i ? `c${i - 1}` : undefined, i * 0.001, 200));
    const deep = buildTraceModel(chain);
    expect(deep.maxDepth).toBe(99_999);
    expect(deep.subtreeEnd[0]).toBe(100_000);
    const wide = [
      span('r', undefined, 0, 200),
      ...Array.from({ length: 100_000 }, (_, i) => span(`w${i}`, 'r', 100 - i * 0.001, 150)),
    ];
    const flat = buildTraceModel(wide);
    expect(flat.childCount[0]).toBe(100_000);
    expect(flat.spans[1].spanId).toBe('w99999');
  });

  it('lists error spans and deduplicates repeated span ids', () => {
    const m = buildTraceModel([
      span('a', undefined, 0, 10),
      span('b', 'a', 1, 2),
      span('b', 'a', 1, 3, { status: { code: 2, message: 'boom' } }),
    ]);
    expect(m.size).toBe(2);
    expect(Array.from(m.errors)).toEqual([1]);
  });
});
