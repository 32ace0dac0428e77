/** The `boxscope` CLI for a box's life after launch: start, restart -t, stop -t, and boxes removed outside. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, buildImage, docker, removeBoxesOfHome, runCli, tempHome, type TempHome } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/cli-box:1';
let h: TempHome;

beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  h = tempHome();
});

afterAll(async () => {
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

const boxesJson = async () =>
  JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout) as {
    boxId: string;
    name: string;
    state: string;
    lastTraceId?: string;
    restartCount?: number;
  }[];

describe('boxscope start, restart, stop -t', () => {
  it('stops, starts and restarts a box by name, each start printing its new trace', async () => {
    const launched = await runCli(['launch', IMAGE, '--name', 'cli-life', '--no-daemon', '--json'], { env: h.env });
    expect(launched.code).toBe(0);
    const r = JSON.parse(launched.stdout) as { boxId: string; traceId: string; containerId: string };

    const bad = await runCli(['stop', 'cli-life', '-t', 'soon'], { env: h.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'boxscope: --time must be whole seconds from 0 to 3600, not "soon"',
    ]);

    expect((await runCli(['stop', 'cli-life', '--time', '1'], { env: h.env })).code).toBe(0);
    expect((await boxesJson()).find((b) => b.boxId === r.boxId)?.state).toBe('stopped');

    const started = await runCli(['start', 'cli-life'], { env: h.env });
    expect(started.code).toBe(0);
    const startTrace = /trace ([0-9a-f]{32})/.exec(started.stdout)?.[1];
    expect(startTrace).toBeDefined();
    expect(startTrace).not.toBe(r.traceId);

    const twice = await runCli(['start', 'cli-life'], { env: h.env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/already running/);

    const restarted = await runCli(['restart', r.containerId.slice(0, 12), '-t', '0'], { env: h.env });
    expect(restarted.code).toBe(0);
    const restartTrace = /trace ([0-9a-f]{32})/.exec(restarted.stdout)?.[1];
    expect(restartTrace).not.toBe(startTrace);
    expect((await boxesJson()).find((b) => b.boxId === r.boxId)).toMatchObject({
      state: 'running',
      lastTraceId: restartTrace,
      restartCount: 2,
    });
  });

  it('boxscope boxes lists a box removed outside Boxscope until rm forgets it', async () => {
    const r = JSON.parse(
      (await runCli(['launch', IMAGE, '--name', 'cli-gone', '--no-daemon', '--json'], { env: h.env })).stdout,
    ) as { boxId: string; containerId: string };
    await docker.getContainer(r.containerId).remove({ force: true });
    const table = (await runCli(['boxes'], { env: h.env })).stdout;
    expect(table).toMatch(new RegExp(`${r.boxId}\\s+cli-gone\\s+removed-outside\\s.*removed outside Boxscope`));
    expect((await runCli(['rm', 'cli-gone'], { env: h.env })).code).toBe(0);
    expect((await boxesJson()).some((b) => b.boxId === r.boxId)).toBe(false);
  });
});
