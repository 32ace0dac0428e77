/**
 * An instrumented program inside a box joins the launch's trace: a static Go
 * program on the OpenTelemetry Go SDK (daemon/testdata/otelapp) reads
 * TRACEPARENT, exports with an exporter configured only from the box's
 * OTEL_EXPORTER_OTLP_* env, and its span lands in the same trace under the
 * daemon's process.start — through the daemon's in-box relay, with network
 * `none`. Then the program exits with its own code and the daemon passes it on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, BOX_AUTH_HEADER, ENV, SERVICE, SPAN } from '../../shared/constants.js';
import type { LaunchResult, SpanRecord } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { docker, removeBoxesOfHome, removeImage, ROOT, run, tempHome, type TempHome } from '../fixtures/index.js';
import { must } from '../fixtures/util.js';

const IMAGE = 'boxscope-test/otel-app:1';
const EXIT_FILE = '/tmp/exit-now';
const EXIT_CODE = 3;
let h: TempHome;
let core: Core;
let workDir: string;

/** busybox (for `docker exec`) + the static app as the image's command, imported as one layer. */
async function buildAppImage(dir: string): Promise<void> {
  const app = path.join(dir, 'otelapp');
  const built = await run('go', ['build', '-trimpath', '-o', app, './testdata/otelapp'], {
    cwd: path.join(ROOT, 'daemon'),
    env: { ...process.env, CGO_ENABLED: '0' },
    timeoutMs: 300_000,
  });
  if (built.code !== 0) throw new Error(`otelapp build failed: ${built.stderr}`);
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'tmp'));
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  for (const a of ['sh', 'touch']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.copyFileSync(app, path.join(rootfs, 'otelapp'));
  fs.chmodSync(path.join(rootfs, 'otelapp'), 0o755);
  const tar = path.join(dir, 'rootfs.tar');
  await must('tar', ['-C', rootfs, '-cf', tar, '.']);
  const cmd = JSON.stringify(['/otelapp', '-exit-when', EXIT_FILE, '-code', String(EXIT_CODE)]);
  await must('docker', ['import', '--change', 'ENV PATH=/bin', '--change', `CMD ${cmd}`, tar, IMAGE]);
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-otel-app-'));
  await buildAppImage(workDir);
  await must('bash', [path.join(ROOT, 'scripts', 'build-daemon.sh')], { timeoutMs: 600_000 });
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = path.join(ROOT, 'daemon', 'bin');
  core = await createCore({ host: 'cli', env: h.env });
}, 900_000);

afterAll(async () => {
  await core?.close();
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  await removeImage(IMAGE);
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('an OTel SDK program inside a box', () => {
  let r: LaunchResult;
  let env: string[];

  it('lands in the launch trace under the daemon’s process.start, through the relay, with network none', async () => {
    r = await core.api.call('boxes:launch', { image: IMAGE, network: 'none' });
    expect(r.state).toBe('running');
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.Labels['boxscope.daemon']).toBe('true');
    env = info.Config.Env;
    const injected = env.find((e) => e.startsWith(`${ENV.traceparent}=`))!.split('=')[1];
    expect(injected.split('-')[1]).toBe(r.traceId);

    let app: SpanRecord | undefined;
    await expect
      .poll(
        () => {
          app = core.ctx.store.getTrace(r.traceId).find((s) => s.serviceName === 'box-app' && s.name === 'app.work');
          return app !== undefined;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);

    const spans = core.ctx.store.getTrace(r.traceId);
    expect(app!.traceId).toBe(r.traceId);
    expect(app!.attributes['app.step']).toBe('compute');
    // The box id comes from the box-auth-token the app's exporter sent through the relay.
    expect(app!.attributes[ATTR.boxId]).toBe(r.boxId);
    const parent = spans.find((s) => s.spanId === app!.parentSpanId)!;
    expect(parent).toMatchObject({ name: SPAN.processStart, serviceName: SERVICE.daemon, traceId: r.traceId });
    const boot = spans.find((s) => s.spanId === parent.parentSpanId)!;
    expect(boot.name).toBe(SPAN.sandboxBoot);

    const token = env.find((e) => e.startsWith(`${ENV.otlpHeaders}=`))!.split(`${BOX_AUTH_HEADER}=`)[1];
    expect(token.length).toBeGreaterThan(8);
    expect(JSON.stringify(spans)).not.toContain(token);
  });

  it('exits later with its own code, which the daemon keeps and records in process.exit', async () => {
    expect(r?.state).toBe('running');
    const c = docker.getContainer(r.containerId);
    await must('docker', ['exec', r.containerId, 'touch', EXIT_FILE]);
    await c.wait();
    expect((await c.inspect()).State.ExitCode).toBe(EXIT_CODE);

    let exit: SpanRecord | undefined;
    await expect
      .poll(
        () => {
          exit = core.ctx.store.getTrace(r.traceId).find((s) => s.name === SPAN.processExit);
          return exit !== undefined;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    expect(exit!.attributes['process.exit.code']).toBe(EXIT_CODE);
    expect(exit!.status.code).toBe(2);
    await expect
      .poll(async () => (await core.api.call('boxes:list')).find((b) => b.boxId === r.boxId)?.exitCode, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(EXIT_CODE);
  });
});
