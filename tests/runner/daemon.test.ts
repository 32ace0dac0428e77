/**
 * A launch with the in-box daemon: the real static binary bind-mounted
 * read-only as the entrypoint wrapper, its sandbox.boot span landing in the
 * same trace as a child of daemon.wait (which contains it), and a daemon-less launch that
 * still carries the trace env.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, SPAN } from '../../shared/constants.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { buildImage, daemonDir, docker, tempHome, type TempHome, endCore } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/daemon-box:1';
const EXIT_IMAGE = 'boxscope-test/daemon-exit:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(IMAGE);
  await buildImage(EXIT_IMAGE, { exitCode: 7 });
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
  // This machine may be busy with other suites: give exit-at-once detection room to be deterministic.
  h.env.BOXSCOPE_EXIT_GRACE_MS = '400';
  core = await createCore({ host: 'cli', env: h.env });
});

afterAll(() => endCore(core, h));

describe('launch with the in-box daemon', () => {
  it('wraps the entrypoint, mounts the daemon read-only, and joins its boot span to the trace', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE });
    expect(r.state).toBe('running');
    expect(r.warnings ?? []).toEqual([]);
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.Config.Entrypoint).toEqual([
      '/.boxlite/boxlite-daemon',
      '--',
      'sh',
      '-c',
      expect.stringContaining('box up'),
    ]);
    const mount = info.Mounts.find((m) => m.Destination === '/.boxlite/boxlite-daemon')!;
    expect(mount.RW).toBe(false);
    expect(info.Config.Labels['boxscope.daemon']).toBe('true');

    const spans = core.ctx.store.getTrace(r.traceId);
    const boot = spans.find((s) => s.name === SPAN.sandboxBoot || s.name === SPAN.boxBoot)!;
    expect(boot).toBeDefined();
    // The boot hangs from daemon.wait, opened before container.start, and lies within it.
    const waiting = spans.find((s) => s.name === SPAN.daemonWait)!;
    expect(boot.parentSpanId).toBe(waiting.spanId);
    expect(BigInt(boot.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(waiting.startTimeUnixNano));
    expect(BigInt(boot.startTimeUnixNano)).toBeLessThanOrEqual(BigInt(waiting.endTimeUnixNano));
    expect(boot.serviceName).toBe('boxlite-daemon');
    const wait = spans.find((s) => s.name === SPAN.daemonWait)!;
    expect(wait.attributes[ATTR.boxId]).toBe(r.boxId);
    expect(wait.events.map((e) => e.name)).not.toContain('no boot span');
    await core.api.call('boxes:stop', { boxId: r.boxId });
  });

  it('a process that exits at once under the daemon still fails the launch with its code', async () => {
    await expect(core.api.call('boxes:launch', { image: EXIT_IMAGE })).rejects.toMatchObject({
      code: 'BOX_EXITED',
      message: expect.stringMatching(/code 7.*bad config/),
    });
  });

  it('--no-daemon: no wrapper, no daemon.wait, but the trace env is still injected', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.Mounts.some((m) => m.Destination === '/.boxlite/boxlite-daemon')).toBe(false);
    expect(info.Config.Env.some((e) => e.startsWith('BOXLITE_TRACEPARENT=00-'))).toBe(true);
    expect(core.ctx.store.getTrace(r.traceId).some((s) => s.name === SPAN.daemonWait)).toBe(false);
  });
});
