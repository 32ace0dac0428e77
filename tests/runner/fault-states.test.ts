/** Fault states of a launch (issue 10): the CLI ends after any failed step, early exits are `exited`, killed launches are reconciled. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../shared/constants.js';
import { createCore } from '../../electron/core/service.js';
import {
  daemonDir,
  BIN,
  buildCli,
  buildImage,
  docker,
  removeBoxesOfHome,
  ROOT,
  runCli,
  storedSpanNames,
  tempHome,
  waitFor,
  type TempHome,
} from '../fixtures/index.js';

const IMAGE = 'boxscope-test/fault-box:1';
const EXIT_IMAGE = 'boxscope-test/fault-exit:1';
let h: TempHome;

beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  await buildImage(EXIT_IMAGE, { exitCode: 3 });
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
}, 300_000);

afterAll(async () => {
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

describe('a failed launch ends the CLI', () => {
  it('--name of an existing box: exits (not hangs) with one line and a non-zero code', async () => {
    const name = `dup-${Date.now()}`;
    const first = await runCli(['launch', IMAGE, '--name', name], { env: h.env });
    expect(first.code).toBe(0);
    // A hang check, not a benchmark: the old code never exited, so the bound only has to be finite.
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const again = await runCli(['launch', IMAGE, '--name', name], { env: h.env, timeoutMs: 30_000 });
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(again.code).not.toBe(0);
      expect(again.code).not.toBeNull();
      expect(again.stderr.trim().split('\n')).toHaveLength(1);
      expect(again.stderr).toContain(`A container named "${name}" already exists`);
    }
  }, 180_000);
});

describe('a box whose process exits at once', () => {
  // The default wait only (no BOXSCOPE_EXIT_GRACE_MS): the old 15 ms bound called such a box running.
  for (const daemon of [false, true])
    it(`is reported exited with its code and last lines, not running (${daemon ? 'with' : 'without'} the daemon)`, async () => {
      const name = `exit-${daemon ? 'd' : 'n'}-${Date.now()}`;
      const r = await runCli(['launch', EXIT_IMAGE, '--name', name, '--json', ...(daemon ? [] : ['--no-daemon'])], {
        env: h.env,
        timeoutMs: 30_000,
      });
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain('running');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/code 3/);
      expect(r.stderr).toContain('bad config');
      const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout) as Array<{
        name: string;
        state: string;
        exitCode?: number;
      }>;
      expect(boxes.find((b) => b.name === name)).toMatchObject({ state: 'exited', exitCode: 3 });
    }, 60_000);
});

describe('a launch killed between create and start', () => {
  it('is reconciled on the next start: failed with reason "interrupted", its partial trace marked', async () => {
    const name = `killed-${Date.now()}`;
    // BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS is a test-only pause, off by default.
    const child = spawn(process.execPath, [BIN, 'launch', IMAGE, '--no-daemon', '--name', name], {
      cwd: ROOT,
      env: { ...h.env, BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS: '60000' },
      stdio: 'ignore',
    });
    const gone = new Promise((resolve) => child.on('exit', resolve));
    try {
      const c = await waitFor(async () => {
        const cs = await docker.listContainers({ all: true, filters: { name: [name] } });
        return cs.find((x) => x.State === 'created');
      }, 'created container');
      // The engine says "created" before the launch has its answer: kill only once the launch holds, its
      // container.create span stored (a kill before that is a kill mid-create, which the soak covers).
      await waitFor(
        async () => storedSpanNames(h.home, c.Labels[LABEL.traceId]!).includes('container.create') || undefined,
        'container.create stored',
      );
    } finally {
      child.kill('SIGKILL');
      await gone;
    }
    const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout) as Array<{
      name: string;
      state: string;
      reason?: string;
      traceId: string;
    }>;
    const b = boxes.find((x) => x.name === name)!;
    expect(b).toMatchObject({ state: 'failed', reason: expect.stringContaining('interrupted') });
    const spans = JSON.parse((await runCli(['trace', b.traceId, '--json'], { env: h.env })).stdout) as
      Array<{ name: string; status: { code: number } }> | { spans: Array<{ name: string; status: { code: number } }> };
    const list = Array.isArray(spans) ? spans : spans.spans;
    expect(list.map((s) => s.name)).toEqual(expect.arrayContaining(['container.create', 'box.interrupted']));
    expect(list.find((s) => s.name === 'box.interrupted')!.status.code).toBe(2);
  }, 60_000);
});

describe('a core that stays up', () => {
  it('reconciles a killed launch when it starts, before anything lists the boxes', async () => {
    const name = `killed-start-${Date.now()}`;
    const child = spawn(process.execPath, [BIN, 'launch', IMAGE, '--no-daemon', '--name', name], {
      cwd: ROOT,
      env: { ...h.env, BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS: '60000' },
      stdio: 'ignore',
    });
    const gone = new Promise((resolve) => child.on('exit', resolve));
    let traceId: string | undefined;
    try {
      const c = await waitFor(async () => {
        const cs = await docker.listContainers({ all: true, filters: { name: [name] } });
        return cs.find((x) => x.State === 'created');
      }, 'created container');
      traceId = c.Labels[LABEL.traceId];
    } finally {
      child.kill('SIGKILL');
      await gone;
    }
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const core = await createCore({ home: h.home, env: h.env, host: 'browser' });
    try {
      // Only the start runs: no list, no launch; the store is read directly.
      const interrupted = await waitFor(
        async () => core.ctx.store.getTrace(traceId!).find((s) => s.name === 'box.interrupted'),
        'box.interrupted in the killed launch trace',
      );
      expect(interrupted.status.code).toBe(2);
    } finally {
      await core.close();
    }
  }, 60_000);
});
