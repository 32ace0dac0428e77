/**
 * Box lifecycle on the real engine through a real core (createCore): spans
 * and injected env, states from engine events, the list after a restart,
 * boxes that exit at once, reserved env, cancelled pulls, a dead engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, ENV, SPAN } from '../../shared/constants.js';
import type { Box, PullProgress } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import {
  buildImage,
  docker,
  pushImage,
  removeImage,
  startRegistry,
  tempHome,
  waitFor,
  type TempHome,
  type TestRegistry,
  endCore,
} from '../fixtures/index.js';

const IMAGE = 'boxscope-test/lifecycle:1';
const EXIT_IMAGE = 'boxscope-test/exit-at-once:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(IMAGE);
  await buildImage(EXIT_IMAGE, { exitCode: 3 });
  h = tempHome();
  // This machine may be busy with other suites: give exit-at-once detection room to be deterministic.
  h.env.BOXSCOPE_EXIT_GRACE_MS = '400';
  core = await createCore({ host: 'cli', env: h.env });
});

afterAll(() => endCore(core, h));

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_TP = `00-${CALLER_TRACE}-00f067aa0ba902b7-01`;

describe('launch', () => {
  it('continues the caller trace, injects the contract env, labels the box and records the runner spans', async () => {
    const changes: Box[] = [];
    const off = core.ctx.events.on('boxes:changed', (b) => changes.push(b));
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      traceparent: CALLER_TP,
      tracestate: 'vendor=1',
      env: { GREETING: 'hi' },
      daemon: false,
    });
    off();
    expect(r).toMatchObject({ traceId: CALLER_TRACE, state: 'running', image: IMAGE });
    expect(changes.map((c) => c.state)).toEqual(['creating', 'starting', 'running']);

    const info = await docker.getContainer(r.containerId).inspect();
    const env = Object.fromEntries(
      info.Config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    expect(env.GREETING).toBe('hi');
    expect(env[ENV.boxId]).toBe(r.boxId);
    expect(env[ENV.traceparent]).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    expect(env[ENV.otelTraceparent]).toBe(env[ENV.traceparent]);
    expect(env[ENV.tracestate]).toBe('vendor=1');
    expect(env[ENV.otelTracestate]).toBe('vendor=1');
    expect(env[ENV.otelEndpoint]).toBe('unix:///.boxlite/run/otlp.sock');
    expect(env[ENV.otlpEndpoint]).toBe('http://127.0.0.1:4318');
    const token = env[ENV.otlpHeaders].replace('box-auth-token=', '');
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(core.ctx.store.boxForToken(token)).toBe(r.boxId);
    expect(core.ctx.store.grantForToken(token)).toEqual({ boxId: r.boxId, traceId: CALLER_TRACE });
    expect(info.Config.Labels).toMatchObject({
      'boxlite.box.id': r.boxId,
      'boxlite.trace.id': CALLER_TRACE,
      'boxscope.managed': 'true',
      'boxlite.image': IMAGE,
    });
    expect(info.HostConfig.NetworkMode).toBe('none');
    // Only this box's own socket directory, read-only; never the shared run/.
    const ownRun = path.join(core.ctx.paths.runDir, 'boxes', r.boxId);
    expect(info.HostConfig.Binds).toContain(`${ownRun}:/.boxlite/run:ro`);
    expect(info.HostConfig.Binds).not.toContain(`${core.ctx.paths.runDir}:/.boxlite/run`);
    expect(fs.statSync(ownRun).mode & 0o777).toBe(0o711);
    expect(fs.statSync(core.ctx.paths.runDir).mode & 0o777).toBe(0o700);

    const spans = core.ctx.store.getTrace(CALLER_TRACE);
    const names = spans.map((s) => s.name);
    for (const n of [SPAN.registryAuth, SPAN.imagePull, SPAN.containerCreate, SPAN.containerStart])
      expect(names).toContain(n);
    expect(names).not.toContain(SPAN.boxCreate);
    for (const s of spans) {
      expect(s.parentSpanId).toBe('00f067aa0ba902b7');
      expect(s.attributes[ATTR.boxId]).toBe(r.boxId);
      expect(s.serviceName).toBe('boxscope-runner');
    }
    const create = spans.find((s) => s.name === SPAN.containerCreate)!;
    expect(env[ENV.traceparent].split('-')[2]).toBe(create.spanId);
    expect(spans.find((s) => s.name === SPAN.imagePull)!.attributes[ATTR.imageDigest]).toMatch(/^sha256:/);
  });

  it('starts its own box.create root when the traceparent is invalid, and warns', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, traceparent: '00-zz-bad', daemon: false });
    expect(r.warnings?.join(' ')).toMatch(/Invalid traceparent/);
    const spans = core.ctx.store.getTrace(r.traceId);
    const root = spans.find((s) => s.name === SPAN.boxCreate)!;
    expect(root.parentSpanId).toBeFalsy();
    expect(spans.filter((s) => s.name !== SPAN.boxCreate).every((s) => s.parentSpanId === root.spanId)).toBe(true);
  });

  it('rejects reserved env names before anything is created', async () => {
    await expect(
      core.api.call('boxes:launch', { image: IMAGE, env: { BOXLITE_TRACEPARENT: 'x' } }),
    ).rejects.toMatchObject({
      code: 'RESERVED_ENV',
      message: expect.stringContaining('BOXLITE_TRACEPARENT'),
    });
  });

  it('a box whose process exits at once fails the launch with its exit code and last lines', async () => {
    const err = await core.api.call('boxes:launch', { image: EXIT_IMAGE, daemon: false }).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'BOX_EXITED' });
    expect(err.message).toMatch(/code 3/);
    expect(err.message).toContain('bad config');
    const spans = core.ctx.store.getTrace(err.details.traceId);
    const root = spans.find((s) => s.name === SPAN.boxCreate)!;
    expect(root.status.code).toBe(2);
    expect(root.attributes[ATTR.errorType]).toBe('BOX_EXITED');
    expect(root.events.some((e) => e.name === 'exception')).toBe(true);
    const box = (await core.api.call('boxes:list')).find((b) => b.boxId === err.details.boxId)!;
    expect(box).toMatchObject({ state: 'exited', exitCode: 3 });
  });

  it('never + absent image → IMAGE_NOT_PRESENT, and the failed box is listed', async () => {
    await expect(
      core.api.call('boxes:launch', { image: 'boxscope-test/absent:1', pull: 'never' }),
    ).rejects.toMatchObject({ code: 'IMAGE_NOT_PRESENT' });
    const list = await core.api.call('boxes:list');
    expect(list.find((b) => b.image === 'boxscope-test/absent:1')).toMatchObject({ state: 'failed' });
  });
});

describe('lifecycle', () => {
  it('stop, logs, engine events and the list after a restart', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, name: `life-${Date.now()}`, daemon: false });
    await waitFor(
      async () => ((await core.api.call('boxes:logs', { boxId: r.boxId })).includes('box up') ? true : undefined),
      'box output',
    );

    // A second core is what the app is after a restart: it knows boxes only from the engine and its file.
    const again = await createCore({ host: 'cli', env: h.env });
    try {
      const list = await again.api.call('boxes:list');
      const b = list.find((x) => x.boxId === r.boxId);
      expect(b).toMatchObject({ state: 'running', traceId: r.traceId, containerId: r.containerId, image: IMAGE });
      expect(list.some((x) => x.state === 'failed' && x.image === 'boxscope-test/absent:1')).toBe(true);

      const seen: Box[] = [];
      again.ctx.events.on('boxes:changed', (x) => seen.push(x));
      // The box dies outside the app: engine events must still move it to exited.
      await docker.getContainer(r.containerId).kill({ signal: 'SIGKILL' });
      const exited = await waitFor(
        async () => seen.find((x) => x.boxId === r.boxId && x.state === 'exited'),
        'exited event',
      );
      expect(exited.exitCode).toBe(137);
    } finally {
      await again.close();
    }

    const r2 = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
    await core.api.call('boxes:stop', { boxId: r2.boxId });
    expect((await core.api.call('boxes:list')).find((b) => b.boxId === r2.boxId)?.state).toBe('stopped');
    await core.api.call('boxes:remove', { boxId: r2.containerId.slice(0, 12) });
    expect((await core.api.call('boxes:list')).find((b) => b.boxId === r2.boxId)).toBeUndefined();
    await expect(core.api.call('boxes:stop', { boxId: 'no-such-box' })).rejects.toMatchObject({
      code: 'BOX_NOT_FOUND',
    });
  });

  it('follows logs as a stream that disposing ends', async () => {
    const img = 'boxscope-test/ticker:1';
    await buildImage(img, {
      cmd: ['sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'],
    });
    const r = await core.api.call('boxes:launch', { image: img, daemon: false });
    // The UI reads the recent lines with boxes:logs; a follow must not send them again.
    await waitFor(
      async () => ((await core.api.call('boxes:logs', { boxId: r.boxId })).includes('tick 1') ? true : undefined),
      'first lines',
    );
    const chunks: string[] = [];
    let ended = false;
    const off = core.api.listen(
      'logs:follow',
      { boxId: r.boxId },
      { data: (c) => chunks.push(c.text), end: () => (ended = true) },
    );
    await waitFor(async () => (chunks.join('').includes('tick 5') ? true : undefined), 'followed log lines');
    expect(chunks.join('')).not.toMatch(/tick 0\n/);
    off();
    // Disposed: no more lines arrive although the box keeps printing, and no end is reported after a dispose.
    const seen = chunks.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(chunks.length).toBe(seen);
    expect(ended).toBe(false);
    expect(fs.existsSync(path.join(core.ctx.paths.runDir, 'boxes', r.boxId))).toBe(true);
    const tokenEnv = (await docker.getContainer(r.containerId).inspect()).Config.Env.find((e) =>
      e.startsWith(`${ENV.otlpHeaders}=`),
    )!;
    const token = tokenEnv.slice(tokenEnv.indexOf('box-auth-token=') + 'box-auth-token='.length);
    expect(core.ctx.store.boxForToken(token)).toBe(r.boxId);
    await core.api.call('boxes:remove', { boxId: r.boxId });
    // Its token is revoked: a stolen copy writes nothing any more.
    expect(core.ctx.store.boxForToken(token)).toBeUndefined();
    // The box's socket directory goes with it.
    expect(fs.existsSync(path.join(core.ctx.paths.runDir, 'boxes', r.boxId))).toBe(false);
  });
});

describe('pulls', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ users: [{ username: 'bob', password: 'pull-secret-1' }] });
  });
  afterAll(async () => reg?.stop());

  it('streams per-layer progress, records the digest, and a pull can be cancelled', async () => {
    const small = await pushImage(reg, 'acme/layered:1', { layers: 3, layerBytes: 512 * 1024 });
    const big = await pushImage(reg, 'acme/big:1', { layers: 6, layerBytes: 12 * 1024 * 1024 });
    h.writeDockerConfig({ auths: { [reg.host]: { username: 'bob', password: 'pull-secret-1' } } });
    const local = await createCore({ host: 'cli', env: h.env });
    try {
      const progress: PullProgress[] = [];
      const off = local.ctx.events.on('pull:progress', (p) => progress.push(p));
      const r = await local.api.call('boxes:launch', { image: small.ref, daemon: false, requestId: 'req-small' });
      off();
      expect(r.imageDigest).toBe(small.digest);
      const last = progress[progress.length - 1];
      expect(last).toMatchObject({ requestId: 'req-small', done: true, layersTotal: 4, layersDone: 4 });
      expect(last.bytesTotal).toBeGreaterThan(3 * 512 * 1024);
      const pull = local.ctx.store.getTrace(r.traceId).find((s) => s.name === SPAN.imagePull)!;
      expect(pull.events.filter((e) => e.name === 'layer')).toHaveLength(4);
      expect(
        pull.attributes[ATTR.credentialSource] ??
          local.ctx.store.getTrace(r.traceId).find((s) => s.name === SPAN.registryAuth)!.attributes[
            ATTR.credentialSource
          ],
      ).toBe('$DOCKER_CONFIG/config.json');
      expect(JSON.stringify(local.ctx.store.getTrace(r.traceId))).not.toContain('pull-secret-1');

      // Cancelling is aborting the call's signal: the core stops the pull in the engine.
      const cancel = new AbortController();
      const off2 = local.ctx.events.on('pull:progress', (p) => {
        if (p.requestId === 'req-big') cancel.abort();
      });
      const err = await local.api
        .call('boxes:launch', { image: big.ref, daemon: false, requestId: 'req-big' }, { signal: cancel.signal })
        .then(
          () => undefined,
          (e) => e,
        );
      off2();
      expect(err).toMatchObject({ code: 'CANCELLED' });
      const failed = (await local.api.call('boxes:list')).find((b) => b.boxId === err.details.boxId);
      expect(failed).toMatchObject({ state: 'failed' });
    } finally {
      await local.close();
      await removeImage(small.ref);
      await removeImage(big.ref);
    }
  });

  it('a missing tag is reported as manifest unknown', async () => {
    const err = await core.api.call('boxes:launch', { image: `${reg.host}/acme/nothing:9`, daemon: false }).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    expect(err.message).toContain('acme/nothing:9');
  });
});

describe('engine down', () => {
  it('names where it looked', async () => {
    const dead = await createCore({ host: 'cli', env: { ...h.env, DOCKER_HOST: `unix://${h.dir}/dead.sock` } });
    try {
      await expect(dead.api.call('boxes:list')).rejects.toMatchObject({
        code: 'ENGINE_UNREACHABLE',
        message: expect.stringContaining(`${h.dir}/dead.sock`),
      });
      await expect(dead.api.call('boxes:launch', { image: IMAGE })).rejects.toMatchObject({
        code: 'ENGINE_UNREACHABLE',
      });
      expect(await dead.api.call('engine:status')).toMatchObject({ reachable: false });
    } finally {
      await dead.close();
    }
  });
});
