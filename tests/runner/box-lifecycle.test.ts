/**
 * Box lifecycle after the launch, on the real engine with the real in-box
 * daemon: stop with a timeout, start and restart (each a new trace whose
 * box.start root links to the launch's trace, the daemon's sandbox.boot inside
 * that start's daemon.wait), the token grant of a start's trace (played by an
 * attacker box), the read-only traceparent file, and boxes removed or killed
 * outside Boxscope.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxRunDir } from '../../electron/core/config.js';
import { ATTR, ENV, SERVICE, SPAN } from '../../shared/constants.js';
import type { Box, LaunchResult, SpanRecord } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { buildImage, daemonDir, docker, tempHome, waitFor, type TempHome, endCore } from '../fixtures/index.js';
import { boxSocket, hexId, jsonSpan, otlpJson, rawPost } from '../telemetry/helpers.js';

const IMAGE = 'boxscope-test/lifecycle:1';
const STUBBORN = 'boxscope-test/ignores-term:1';
/** Lives a second, then fails: what a restart policy restarts. */
const FLAKY = 'boxscope-test/fails-after-a-second:1';
/** Runs the first time; exits at once with code 3 on every later start. */
const SECOND_FAILS = 'boxscope-test/second-start-fails:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(IMAGE);
  await buildImage(STUBBORN, { cmd: ['sh', '-c', 'trap "" TERM; echo up; while true; do sleep 1; done'] });
  await buildImage(SECOND_FAILS, {
    cmd: [
      'sh',
      '-c',
      'if [ -f /tmp/ran ]; then echo bad config; exit 3; fi; touch /tmp/ran; trap "exit 0" TERM; sleep 3600 & wait',
    ],
  });
  await buildImage(FLAKY, { cmd: ['sh', '-c', 'echo up; sleep 1; exit 1'] });
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
  h.env.BOXSCOPE_EXIT_GRACE_MS = '400';
  core = await createCore({ host: 'cli', env: h.env });
}, 120_000);

afterAll(() => endCore(core, h));

const ns = (s: SpanRecord, end = false) => BigInt(end ? s.endTimeUnixNano : s.startTimeUnixNano);
const byName = (spans: SpanRecord[], name: string) => spans.find((s) => s.name === name);

function expectBootInsideWait(spans: SpanRecord[]): SpanRecord {
  const wait = byName(spans, SPAN.daemonWait)!;
  const boot = byName(spans, SPAN.sandboxBoot)!;
  expect(wait, 'daemon.wait').toBeDefined();
  expect(boot, 'sandbox.boot').toBeDefined();
  expect(boot.serviceName).toBe(SERVICE.daemon);
  expect(boot.parentSpanId).toBe(wait.spanId);
  expect(ns(boot)).toBeGreaterThanOrEqual(ns(wait));
  expect(ns(boot)).toBeLessThanOrEqual(ns(wait, true));
  // daemon.wait opens before container.start, so the whole start lies inside it.
  const start = byName(spans, SPAN.containerStart)!;
  expect(ns(wait)).toBeLessThanOrEqual(ns(start));
  return boot;
}

async function tokenOf(containerId: string): Promise<string> {
  const env = (await docker.getContainer(containerId).inspect()).Config.Env;
  return env.find((e) => e.startsWith(`${ENV.otlpHeaders}=`))!.split('box-auth-token=')[1];
}

async function listed(boxId: string): Promise<Box | undefined> {
  return (await core.api.call('boxes:list', undefined)).find((b) => b.boxId === boxId);
}

describe('stop, start, restart', () => {
  let box: LaunchResult;
  let startTrace = '';

  it("launch: the daemon's boot lies inside daemon.wait", async () => {
    box = await core.api.call('boxes:launch', { image: IMAGE });
    expect(box.state).toBe('running');
    expectBootInsideWait(core.ctx.store.getTrace(box.traceId));
  });

  it('start of a stopped box: a new trace rooted at box.start, linked to the launch, the boot in its daemon.wait', async () => {
    await core.api.call('boxes:stop', { boxId: box.boxId, timeout: 2 });
    expect((await listed(box.boxId))?.state).toBe('stopped');
    await expect(core.api.call('boxes:start', { boxId: 'no-such-box' })).rejects.toMatchObject({
      code: 'BOX_NOT_FOUND',
    });

    const started = await core.api.call('boxes:start', { boxId: box.boxId });
    expect(started).toMatchObject({ state: 'running', restartCount: 1 });
    startTrace = started.lastTraceId!;
    expect(startTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(startTrace).not.toBe(box.traceId);

    const spans = core.ctx.store.getTrace(startTrace);
    const root = byName(spans, SPAN.boxStart)!;
    expect(root.parentSpanId).toBeFalsy();
    expect(root.serviceName).toBe(SERVICE.runner);
    expect(root.attributes).toMatchObject({
      [ATTR.boxId]: box.boxId,
      [ATTR.containerId]: box.containerId,
      'boxscope.start.reason': 'user start',
    });
    const launchRoot = byName(core.ctx.store.getTrace(box.traceId), SPAN.boxCreate)!;
    expect(root.links).toEqual([expect.objectContaining({ traceId: box.traceId, spanId: launchRoot.spanId })]);
    for (const n of [SPAN.containerStart, SPAN.daemonWait]) expect(byName(spans, n)!.parentSpanId).toBe(root.spanId);
    expectBootInsideWait(spans);

    const traces = core.ctx.store.listTraces({ boxId: box.boxId }).map((t) => t.traceId);
    expect(traces).toEqual(expect.arrayContaining([box.traceId, startTrace]));
    expect((await listed(box.boxId))?.lastTraceId).toBe(startTrace);
    await expect(core.api.call('boxes:start', { boxId: box.boxId })).rejects.toThrow(/already running/);
  });

  it('restart: stop then start in another new trace; lastTraceId survives a new core', async () => {
    const changes: Box[] = [];
    const off = core.ctx.events.on('boxes:changed', (b) => b.boxId === box.boxId && changes.push(b));
    const r = await core.api.call('boxes:restart', { boxId: box.boxId, timeout: 1 });
    expect(r).toMatchObject({ state: 'running', restartCount: 2 });
    // The engine's die for the restart's own stop, however late it comes, does not end the new run.
    await new Promise((res) => setTimeout(res, 1000));
    off();
    expect(changes.at(-1)?.state).toBe('running');
    expect(changes.map((c) => c.state)).not.toContain('exited');
    expect((await listed(box.boxId))?.state).toBe('running');
    expect(r.lastTraceId).not.toBe(startTrace);
    const spans = core.ctx.store.getTrace(r.lastTraceId!);
    const root = byName(spans, SPAN.boxStart)!;
    expect(root.attributes['boxscope.start.reason']).toBe('restart');
    expect(byName(spans, 'container.stop')!.parentSpanId).toBe(root.spanId);
    expect(root.links[0]?.traceId).toBe(box.traceId);
    expectBootInsideWait(spans);

    const again = await createCore({ host: 'cli', env: h.env });
    try {
      const b = (await again.api.call('boxes:list', undefined)).find((x) => x.boxId === box.boxId)!;
      expect(b).toMatchObject({ state: 'running', lastTraceId: r.lastTraceId, restartCount: 2 });
    } finally {
      await again.close();
    }
    startTrace = r.lastTraceId!;
  });

  it("a box's token writes its launch and start traces, never another box's nor one never granted", async () => {
    const other = await core.api.call('boxes:launch', { image: IMAGE });
    const mine = await tokenOf(box.containerId);
    const theirs = await tokenOf(other.containerId);
    const json = { 'content-type': 'application/json' };
    const post = (boxId: string, token: string, spans: Record<string, unknown>[]) =>
      rawPost({ socketPath: boxSocket(core.ctx.paths, boxId) }, otlpJson(spans), { ...json, 'box-auth-token': token });
    const rejected = (r: { body: Buffer }) => Number(JSON.parse(r.body.toString()).partialSuccess?.rejectedSpans ?? 0);

    // The attacker (the other box) on its own socket, aiming at both of this box's traces.
    const forged = await post(other.boxId, theirs, [
      jsonSpan(box.traceId, 'forged.launch'),
      jsonSpan(startTrace, 'forged.start'),
    ]);
    expect(forged.status).toBe(200);
    expect(rejected(forged)).toBe(2);
    // ...and on this box's socket with its own token.
    expect((await post(box.boxId, theirs, [jsonSpan(startTrace, 'forged.socket')])).status).toBe(403);

    // This box: its start trace yes, a trace it was never granted no.
    const stray = hexId(16);
    const own = await post(box.boxId, mine, [jsonSpan(startTrace, 'own.span'), jsonSpan(stray, 'stray.span')]);
    expect(own.status).toBe(200);
    expect(rejected(own)).toBe(1);
    const names = core.ctx.store.getTrace(startTrace).map((s) => s.name);
    expect(names).toContain('own.span');
    expect(names).not.toContain('forged.start');
    expect(names).not.toContain('forged.socket');
    expect(core.ctx.store.getTrace(box.traceId).map((s) => s.name)).not.toContain('forged.launch');
    expect(core.ctx.store.getTrace(stray)).toEqual([]);
    await core.api.call('boxes:remove', { boxId: other.boxId });
  });

  it('the box cannot write its traceparent file (its run dir is read-only)', async () => {
    const exec = await docker.getContainer(box.containerId).exec({
      Cmd: ['sh', '-c', 'cat /.boxlite/run/traceparent && echo 00-forged > /.boxlite/run/traceparent'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    const out: Buffer[] = [];
    stream.on('data', (d: Buffer) => out.push(d));
    await new Promise((r) => stream.on('end', r));
    const info = await exec.inspect();
    expect(info.ExitCode).not.toBe(0);
    const text = Buffer.concat(out).toString();
    expect(text).toMatch(/Read-only file system/i);
    // What it read: the traceparent of the last start's daemon.wait.
    const wait = byName(core.ctx.store.getTrace(startTrace), SPAN.daemonWait)!;
    expect(text).toContain(`00-${startTrace}-${wait.spanId}-01`);
    // On the host: 0644 in the box's own run dir, within the daemon's 512-byte read, nothing left half-written.
    const file = path.join(boxRunDir(core.ctx.paths, box.boxId), 'traceparent');
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(512);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a start whose process exits at once', () => {
  it('fails with the code and last output, and the box reads exited with that reason', async () => {
    const r = await core.api.call('boxes:launch', { image: SECOND_FAILS });
    await core.api.call('boxes:stop', { boxId: r.boxId, timeout: 1 });
    const err = await core.api.call('boxes:start', { boxId: r.boxId }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: { traceId: string } },
    );
    expect(err?.code).toBe('BOX_EXITED');
    expect(err?.message).toMatch(/exited at once with code 3; last output: .*bad config/);
    const b = await listed(r.boxId);
    expect(b).toMatchObject({ state: 'exited', exitCode: 3, lastTraceId: err?.details.traceId });
    expect(b?.reason).toMatch(/exited at once with code 3/);
    const root = byName(core.ctx.store.getTrace(err!.details.traceId), SPAN.boxStart)!;
    expect(root.status.code).toBe(2);
  });
});

describe('restarts by the engine', () => {
  it("counts a restart policy's restarts (the engine's RestartCount) in restartCount", async () => {
    const r = await core.api.call('boxes:launch', { image: FLAKY, daemon: false });
    await docker.getContainer(r.containerId).update({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
    const b = await waitFor(
      async () => {
        const x = await listed(r.boxId);
        return x?.restartCount === 2 && x.state === 'exited' ? x : undefined;
      },
      'two engine restarts, then exited',
      20_000,
    );
    expect(b.exitCode).toBe(1);
    expect((await docker.getContainer(r.containerId).inspect()).RestartCount).toBe(2);
  }, 30_000);
});

describe('stop timeout', () => {
  it('a box ignoring SIGTERM is killed once the timeout has passed', async () => {
    const r = await core.api.call('boxes:launch', { image: STUBBORN, daemon: false });
    const t0 = Date.now();
    await core.api.call('boxes:stop', { boxId: r.boxId, timeout: 1 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4500);
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.State.ExitCode).toBe(137);
    // Stopped here: neither exited nor killed outside, though the engine killed it.
    const b = await listed(r.boxId);
    expect(b?.state).toBe('stopped');
    expect(b?.killedOutside).toBeFalsy();
  });
});

describe('outside Boxscope', () => {
  it('killed outside (docker kill): exited, killedOutside, in words', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
    const changes: Box[] = [];
    const off = core.ctx.events.on('boxes:changed', (b) => b.boxId === r.boxId && changes.push(b));
    await docker.getContainer(r.containerId).kill();
    const ev = await waitFor(async () => changes.find((c) => c.state === 'exited'), 'exited event');
    off();
    expect(ev).toMatchObject({ killedOutside: true, exitCode: 137, reason: 'killed outside Boxscope (SIGKILL)' });
    expect(await listed(r.boxId)).toMatchObject({ state: 'exited', killedOutside: true });
    // Started again, it is no longer "killed outside".
    const again = await core.api.call('boxes:start', { boxId: r.boxId });
    expect(again.killedOutside).toBeFalsy();
    expect(again.state).toBe('running');
  });

  it('removed outside (docker rm -f): removed-outside with its trace, until removed here', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE });
    const changes: Box[] = [];
    const off = core.ctx.events.on('boxes:changed', (b) => b.boxId === r.boxId && changes.push(b));
    await docker.getContainer(r.containerId).remove({ force: true });
    const ev = await waitFor(async () => changes.find((c) => c.state === 'removed-outside'), 'removed-outside event');
    off();
    expect(ev).toMatchObject({ traceId: r.traceId, reason: 'removed outside Boxscope' });
    expect(changes.map((c) => c.state)).not.toContain('removed');

    const b = await listed(r.boxId);
    expect(b).toMatchObject({ state: 'removed-outside', traceId: r.traceId, name: ev.name });
    expect(core.ctx.store.getTrace(r.traceId).length).toBeGreaterThan(3);
    expect(core.ctx.store.listTraces({ boxId: r.boxId }).map((t) => t.traceId)).toContain(r.traceId);
    await expect(core.api.call('boxes:start', { boxId: r.boxId })).rejects.toThrow(/removed outside Boxscope/);

    await core.api.call('boxes:remove', { boxId: r.boxId });
    expect(await listed(r.boxId)).toBeUndefined();
    // Forgotten for good: a new core does not bring it back.
    const again = await createCore({ host: 'cli', env: h.env });
    try {
      expect((await again.api.call('boxes:list', undefined)).map((x) => x.boxId)).not.toContain(r.boxId);
    } finally {
      await again.close();
    }
  });
});
