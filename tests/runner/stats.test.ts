/**
 * `boxes:stats` on the real engine: a box burning a CPU shows it within a
 * few samples, memory in use is above zero; without a box id the stream
 * follows every running box, including one started after it began.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoxStats } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { toBoxStats } from '../../electron/core/runner/stats.js';
import { buildImage, tempHome, waitFor, type TempHome, endCore } from '../fixtures/index.js';

const BURN = 'boxscope-test/stats-burn:1';
const IDLE = 'boxscope-test/stats-idle:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(BURN, { cmd: ['sh', '-c', 'while :; do :; done'] });
  await buildImage(IDLE);
  h = tempHome();
  core = await createCore({ host: 'cli', env: h.env });
}, 120_000);

afterAll(() => endCore(core, h));

describe('stats', () => {
  it('shows a CPU-burning box above 20% within a few samples, with memory in use', async () => {
    const r = await core.api.call('boxes:launch', { image: BURN, daemon: false });
    const got: BoxStats[] = [];
    const dispose = core.api.listen('boxes:stats', { boxId: r.boxId }, (s) => got.push(s));
    try {
      await waitFor(async () => (got.some((s) => s.cpuPercent > 20) ? true : undefined), 'a busy sample', 20_000);
    } finally {
      dispose();
    }
    const busy = got.find((s) => s.cpuPercent > 20)!;
    expect(busy.boxId).toBe(r.boxId);
    expect(busy.cpuPercent).toBeLessThanOrEqual(210);
    expect(busy.memBytes).toBeGreaterThan(0);
    expect(busy.memLimitBytes).toBeGreaterThanOrEqual(busy.memBytes);
    for (let i = 1; i < got.length; i++) expect(got[i].at).toBeGreaterThanOrEqual(got[i - 1].at);
    await core.api.call('boxes:remove', { boxId: r.boxId });
  }, 60_000);

  it('without a box id follows every running box, also one started later', async () => {
    const a = await core.api.call('boxes:launch', { image: IDLE, daemon: false });
    const got: BoxStats[] = [];
    const dispose = core.api.listen('boxes:stats', {}, (s) => got.push(s));
    try {
      await waitFor(async () => (got.some((s) => s.boxId === a.boxId) ? true : undefined), 'stats of the first box');
      const b = await core.api.call('boxes:launch', { image: IDLE, daemon: false });
      await waitFor(async () => (got.some((s) => s.boxId === b.boxId) ? true : undefined), 'stats of a later box');
      // Stopped boxes stop reporting.
      await core.api.call('boxes:stop', { boxId: a.boxId });
      await new Promise((r) => setTimeout(r, 1500));
      const n = got.filter((s) => s.boxId === a.boxId).length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(got.filter((s) => s.boxId === a.boxId).length).toBe(n);
    } finally {
      dispose();
    }
  }, 60_000);

  it('skips samples with odd numbers', () => {
    const ok = {
      cpu_stats: { cpu_usage: { total_usage: 2e9 }, system_cpu_usage: 20e9, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 10e9 },
      memory_stats: { usage: 10_000, limit: 1e9, stats: { inactive_file: 4000 } },
    };
    expect(toBoxStats('bx', ok, 1)).toEqual({ boxId: 'bx', at: 1, cpuPercent: 20, memBytes: 6000, memLimitBytes: 1e9 });
    const bad = (patch: (o: typeof ok) => void) => {
      const o = structuredClone(ok);
      patch(o);
      return toBoxStats('bx', o);
    };
    expect(bad((o) => (o.cpu_stats.cpu_usage.total_usage = NaN))).toBeUndefined();
    expect(bad((o) => (o.cpu_stats.cpu_usage.total_usage = -5))).toBeUndefined();
    expect(bad((o) => (o.precpu_stats.system_cpu_usage = 0))).toBeUndefined();
    expect(bad((o) => (o.cpu_stats.system_cpu_usage = 5e9))).toBeUndefined();
    expect(bad((o) => (o.memory_stats.usage = Infinity))).toBeUndefined();
    expect(bad((o) => (o.cpu_stats.cpu_usage.total_usage = 1e12))).toBeUndefined();
    expect(toBoxStats('bx', 'not an object')).toBeUndefined();
    expect(toBoxStats('bx', null)).toBeUndefined();
  });
});
