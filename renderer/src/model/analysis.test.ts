import { describe, expect, it } from 'vitest';
import { buildTraceModel } from './trace-model.js';
import { adjustClockSkew } from './skew.js';
import { criticalPath } from './critical-path.js';
import { filterSpans, isEmptyQuery, parseQuery } from './filter.js';
import { comparePhases, phaseSummary } from './phases.js';
import {
  collapseAllIds,
  collapseOneLevel,
  collapsedMask,
  expandOneLevel,
  revealIds,
  stepIn,
  visibleRows,
} from './visible.js';
import { formatDuration, parseDuration } from './time.js';
import { launchTrace, span } from '../../test/spans.js';

const names = (m: ReturnType<typeof buildTraceModel>, rows: Iterable<number>) =>
  Array.from(rows, (i) => m.spans[i].spanId);

describe('clock skew', () => {
  it('leaves agreeing clocks alone', () => {
    const m = buildTraceModel(launchTrace());
    const r = adjustClockSkew(m);
    expect(r.adjustments).toEqual([]);
    expect(r.maxShiftMs).toBe(0);
    expect(Array.from(r.start)).toEqual(Array.from(m.start));
  });

  it('shifts a daemon subtree that starts before its host parent', () => {
    const m = buildTraceModel(launchTrace(-300));
    const r = adjustClockSkew(m);
    const boot = m.indexById.get('boot')!;
    const proc = m.indexById.get('proc')!;
    const wait = m.indexById.get('wait')!;
    expect(r.adjustments).toHaveLength(1);
    expect(r.maxShiftMs).toBeCloseTo(280, 6);
    expect(r.start[boot]).toBeCloseTo(r.start[wait], 6);
    // The descendants move with the boundary span, keeping their relative timing.
    expect(r.start[proc] - r.start[boot]).toBeCloseTo(30, 6);
  });

  it('shifts back a daemon subtree that ends after its parent', () => {
    const m = buildTraceModel(launchTrace(150));
    const r = adjustClockSkew(m);
    const boot = m.indexById.get('boot')!;
    expect(r.maxShiftMs).toBeCloseTo(-70, 6);
    expect(r.finish[boot]).toBeCloseTo(980, 6);
  });
});

describe('critical path', () => {
  it('follows the last-finishing children back from the end', () => {
    const m = buildTraceModel([
      span('root', undefined, 0, 100),
      span('a', 'root', 0, 40),
      span('b', 'root', 10, 30),
      span('c', 'root', 40, 90),
    ]);
    const cp = criticalPath(m, m.start, m.finish);
    expect(names(m, m.spans.keys()).filter((_, i) => cp.onPath[i])).toEqual(['root', 'a', 'c']);
    const rootSegs = cp.segments.filter((s) => s.index === 0).map((s) => [s.from, s.to]);
    expect(rootSegs).toEqual([[90, 100]]);
  });

  it('runs on a 100k-deep chain', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) =>
      span(`c${i}`, i ? `c${i - 1}` : undefined, i * 0.001, 200 - i * 0.001),
    );
    const m = buildTraceModel(chain);
    const cp = criticalPath(m, m.start, m.finish);
    expect(cp.onPath.reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});

describe('search and filter', () => {
  const m = buildTraceModel([
    ...launchTrace(),
    span('err', 'pull', 100, 400, {
      name: 'layer.download',
      status: { code: 2, message: 'reset' },
      resource: { 'host.name': 'dev1' },
    }),
  ]);
  const run = (q: string) => filterSpans(m, parseQuery(q), m.start, m.finish);

  it('matches names and keeps ancestors so the tree stays readable', () => {
    const r = run('download');
    expect(names(m, r.matches)).toEqual(['err']);
    expect(names(m, visibleRows(m, null, r.keep))).toEqual(['ui', 'run', 'pull', 'err']);
  });

  it('filters by service, attribute, duration and error status', () => {
    expect(names(m, run('service:daemon').matches)).toEqual(['boot', 'proc']);
    expect(names(m, run('boxscope.registry=ghcr.io').matches)).toEqual(['auth']);
    expect(names(m, run('boxscope.pull.bytes=*').matches)).toEqual(['pull']);
    expect(names(m, run('host.name=dev1').matches)).toEqual(['err']);
    expect(names(m, run('dur>=500ms').matches)).toEqual(['ui', 'run', 'pull']);
    expect(names(m, run('dur<=40ms service:daemon').matches)).toEqual(['proc']);
    expect(names(m, run('is:error').matches)).toEqual(['err']);
    expect(names(m, run('ghcr').matches)).toEqual(['auth']);
    expect(isEmptyQuery(parseQuery('  '))).toBe(true);
  });
});

describe('phases', () => {
  it('summarises auth, pull, create, start and boot', () => {
    const m = buildTraceModel(launchTrace());
    const p = phaseSummary(m, m.start, m.finish);
    expect(p.map((x) => [x.key, Math.round(x.durationMs)])).toEqual([
      ['auth', 50],
      ['pull', 540],
      ['create', 100],
      ['start', 100],
      ['boot', 80],
    ]);
    const bootOnly = buildTraceModel([span('b', undefined, 0, 5, { name: 'box.boot' })]);
    const q = phaseSummary(bootOnly, bootOnly.start, bootOnly.finish);
    expect(q.find((x) => x.key === 'boot')!.count).toBe(1);
    expect(q.find((x) => x.key === 'pull')!.index).toBe(-1);
    const cmp = comparePhases(p, q);
    expect(cmp.find((c) => c.key === 'boot')!.deltaMs).toBeCloseTo(-75, 6);
    expect(cmp.find((c) => c.key === 'pull')!.b).toBeUndefined();
  });
});

describe('collapse and expand', () => {
  const m = buildTraceModel(launchTrace());
  it('hides collapsed subtrees and reveals a span', () => {
    const all = collapseAllIds(m);
    expect(names(m, visibleRows(m, collapsedMask(m, all), null))).toEqual(['ui', 'run']);
    const one = expandOneLevel(m, all);
    expect(names(m, visibleRows(m, collapsedMask(m, one), null))).toEqual([
      'ui',
      'run',
      'auth',
      'pull',
      'create',
      'start',
      'wait',
    ]);
    const back = collapseOneLevel(m, one);
    expect(names(m, visibleRows(m, collapsedMask(m, back), null))).toEqual(['ui', 'run']);
    const shown = revealIds(m, all, m.indexById.get('proc')!);
    expect(names(m, visibleRows(m, collapsedMask(m, shown), null))).toContain('proc');
  });

  it('steps through a sorted list with wrap-around', () => {
    const list = Int32Array.from([2, 5, 9]);
    expect(stepIn(list, 5, 1)).toBe(9);
    expect(stepIn(list, 9, 1)).toBe(2);
    expect(stepIn(list, 2, -1)).toBe(9);
    expect(stepIn(new Int32Array(), 0, 1)).toBe(-1);
  });
});

describe('durations', () => {
  it('formats and parses', () => {
    expect(formatDuration(0.5)).toBe('500 µs');
    expect(formatDuration(12.345)).toBe('12.3 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('300us')).toBe(0.3);
    expect(parseDuration('x')).toBeUndefined();
  });
});

describe('clock skew with long box spans', () => {
  it('does not move a box span that outlives its parent but starts inside it', () => {
    const m = buildTraceModel([
      span('start', undefined, 0, 10, { name: 'container.start' }),
      span('boot', 'start', 5, 500, { name: 'sandbox.boot', serviceName: 'boxlite-daemon' }),
    ]);
    expect(adjustClockSkew(m).adjustments).toEqual([]);
  });

  // The runner's shape: container.create injects the traceparent and ends; the box boots during container.start.
  const injected = (bootAt: number) => [
    span('run', undefined, 0, 400, { name: 'box.create' }),
    span('create', 'run', 10, 30, { name: 'container.create' }),
    span('start', 'run', 30, 200, { name: 'container.start' }),
    span('wait', 'run', 200, 220, { name: 'daemon.wait' }),
    span('boot', 'create', bootAt, bootAt + 3, { name: 'sandbox.boot', serviceName: 'boxlite-daemon' }),
  ];

  it('does not move a boot span that starts after its injecting parent ended, inside the start/wait window', () => {
    expect(adjustClockSkew(buildTraceModel(injected(190))).adjustments).toEqual([]);
  });

  it('shifts a boot span that starts before the engine was asked to start the box', () => {
    const m = buildTraceModel(injected(20));
    const r = adjustClockSkew(m);
    expect(r.maxShiftMs).toBeCloseTo(10, 6);
    expect(r.start[m.indexById.get('boot')!]).toBeCloseTo(30, 6);
  });

  it('shifts back a boot span that ends after the runner had already received it', () => {
    const m = buildTraceModel(injected(250));
    const r = adjustClockSkew(m);
    expect(r.maxShiftMs).toBeCloseTo(-33, 6);
    expect(r.finish[m.indexById.get('boot')!]).toBeCloseTo(220, 6);
  });
});
