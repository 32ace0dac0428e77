/**
 * The core's telemetry as the runner and hosts use it: the runner's tracer,
 * spans:added events, forwarding to a collector, the socket receiver a CLI
 * starts on demand, waitForBoot, the daemon binary lookup and the traces handlers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { context, trace, ROOT_CONTEXT, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { CoreContext } from '../../electron/core/contracts.js';
import { parseArg } from '../../shared/schemas.js';
import { tracesHandlers } from '../../electron/core/handlers/traces.js';
import { makeBoxRunDir } from '../../electron/core/config.js';
import { boxSocket, hexId, jsonSpan, otlpJson, quietLog, rawPost, startTelemetry, tempHome } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: { env?: NodeJS.ProcessEnv; otlpPort?: number } = {}) {
  const h = tempHome();
  cleanups.push(h.cleanup);
  const t = await startTelemetry(h.paths, opts);
  cleanups.push(() => t.close());
  return { ...h, t };
}

function ctxOf(s: Awaited<ReturnType<typeof setup>>): CoreContext {
  return {
    paths: s.paths,
    env: {},
    events: s.t.events,
    log: quietLog,
    tracer: s.t.tracer,
    store: s.t.store,
    daemon: s.t.daemon,
  };
}

describe('runner tracing', () => {
  it("records the launch under a caller's unsampled traceparent, and hands the box a sampled one", async () => {
    const s = await setup();
    const traceId = hexId(16);
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: hexId(8),
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    const span = s.t.tracer.startSpan('box.create', {}, remote);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    span.end();
    expect(s.t.store.getTrace(traceId).map((x) => x.name)).toEqual(['box.create']);
  });

  it('stores runner spans synchronously as service boxscope-runner and emits spans:added', async () => {
    const s = await setup();
    const seen: string[] = [];
    s.t.events.on('spans:added', (e) => seen.push(...e.spans.map((x) => x.name)));
    const parent = s.t.tracer.startSpan('box.create');
    const child = s.t.tracer.startSpan(
      'image.pull',
      { attributes: { 'boxlite.box.id': 'b-7' } },
      trace.setSpan(context.active(), parent),
    );
    child.recordException(new Error('pull denied'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'pull denied' });
    child.end();
    // Already in the store when end() returns: a CLI may exit right after.
    const stored = s.t.store.getTrace(child.spanContext().traceId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      name: 'image.pull',
      serviceName: 'boxscope-runner',
      parentSpanId: parent.spanContext().spanId,
      kind: 1,
      status: { code: 2, message: 'pull denied' },
      attributes: { 'boxlite.box.id': 'b-7' },
    });
    expect(stored[0]!.events[0]!.name).toBe('exception');
    parent.end();
    expect(seen).toEqual(['image.pull', 'box.create']);
    expect(s.t.store.listTraces({ boxId: 'b-7' })[0]).toMatchObject({
      rootName: 'box.create',
      spanCount: 2,
      errorCount: 1,
    });
    // Not registered globally: the global tracer stays the no-op one.
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
  });

  it('forwards stored spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await setup({ otlpPort: 0 });
    const app = await setup({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.t.otlpEndpoint() } });
    expect(app.t.forwardUrl).toBe(`${collector.t.otlpEndpoint()}/v1/traces`);
    const span = app.t.tracer.startSpan('registry.auth', { attributes: { 'boxscope.credential.source': 'env' } });
    span.end();
    const traceId = span.spanContext().traceId;
    // Spans received from a box are forwarded too.
    const boxSpan = jsonSpan(traceId, 'sandbox.boot', { parentSpanId: span.spanContext().spanId });
    app.t.store.registerBoxToken('b-f', 'fwd-token-000000');
    await app.t.daemon.ensureReceiver('b-f');
    const r = await rawPost({ socketPath: boxSocket(app.paths, 'b-f') }, otlpJson([boxSpan], 'boxlite-daemon'), {
      'content-type': 'application/json',
      'box-auth-token': 'fwd-token-000000',
    });
    expect(r.status).toBe(200);
    await expect
      .poll(
        () =>
          collector.t.store
            .getTrace(traceId)
            .map((x) => x.name)
            .sort(),
        { timeout: 5000, interval: 100 },
      )
      .toEqual(['registry.auth', 'sandbox.boot']);
    const got = collector.t.store.getTrace(traceId);
    expect(got.find((x) => x.name === 'registry.auth')!.serviceName).toBe('boxscope-runner');
    expect(got.find((x) => x.name === 'sandbox.boot')).toMatchObject({
      serviceName: 'boxlite-daemon',
      parentSpanId: span.spanContext().spanId,
      attributes: { 'boxlite.box.id': 'b-f' },
    });
  });
});

describe('daemon support', () => {
  it('starts a socket receiver on demand in a CLI process and finds the boot span', async () => {
    const s = await setup();
    expect(s.t.otlpEndpoint()).toBeUndefined();
    const sock = boxSocket(s.paths, 'b-w');
    expect(fs.existsSync(sock)).toBe(false);
    // A stale socket file from a crashed process is replaced.
    makeBoxRunDir(s.paths, 'b-w');
    fs.writeFileSync(sock, '');
    await s.t.daemon.ensureReceiver('b-w');
    await s.t.daemon.ensureReceiver('b-w');
    expect(fs.statSync(sock).isSocket()).toBe(true);
    // Only the box's own socket: the shared host socket is not started for it.
    expect(fs.existsSync(s.paths.otlpSocket)).toBe(false);

    const traceId = hexId(16);
    expect(await s.t.daemon.waitForBoot('b-w', traceId, 200)).toBeUndefined();
    s.t.store.registerBoxToken('b-w', 'wait-token-1234567');
    const waiting = s.t.daemon.waitForBoot('b-w', traceId, 5000);
    const r = await rawPost({ socketPath: sock }, otlpJson([jsonSpan(traceId, 'sandbox.boot')], 'boxlite-daemon'), {
      'content-type': 'application/json',
      'box-auth-token': 'wait-token-1234567',
    });
    expect(r.status).toBe(200);
    const boot = await waiting;
    expect(boot).toMatchObject({ name: 'sandbox.boot', traceId, attributes: { 'boxlite.box.id': 'b-w' } });
    // Already stored: resolves at once.
    expect((await s.t.daemon.waitForBoot('b-w', traceId, 10))?.spanId).toBe(boot!.spanId);
  });

  it('stops waiting for a boot once the launch gives up (no timer left behind)', async () => {
    const s = await setup();
    const traceId = hexId(16);
    const ac = new AbortController();
    // Without the abort this would outlast the test's own timeout.
    const waiting = s.t.daemon.waitForBoot('b-gone', traceId, 600_000, ac.signal);
    ac.abort();
    expect(await waiting).toBeUndefined();
    expect(await s.t.daemon.waitForBoot('b-gone', traceId, 600_000, ac.signal)).toBeUndefined();
  });

  it('a host that stays up takes over the sockets of boxes whose launcher is gone, and leaves live ones alone', async () => {
    const h = tempHome();
    cleanups.push(h.cleanup);
    const cli = await startTelemetry(h.paths);
    cleanups.push(() => cli.close());
    await cli.daemon.ensureReceiver('b-live');
    const liveIno = fs.statSync(boxSocket(h.paths, 'b-live')).ino;
    // A box whose CLI launcher exited: its directory is left, its socket gone.
    makeBoxRunDir(h.paths, 'b-orphan');
    const app = await startTelemetry(h.paths, { otlpPort: 0 });
    cleanups.push(() => app.close());
    expect(fs.statSync(boxSocket(h.paths, 'b-live')).ino).toBe(liveIno);
    const traceId = hexId(16);
    app.store.registerBoxToken('b-orphan', 'orphan-token-123456', traceId);
    const r = await rawPost(
      { socketPath: boxSocket(h.paths, 'b-orphan') },
      otlpJson([jsonSpan(traceId, 'late.export')], 'in-box-app'),
      { 'content-type': 'application/json', 'box-auth-token': 'orphan-token-123456' },
    );
    expect(r.status).toBe(200);
    expect(app.store.getTrace(traceId).map((s) => [s.name, s.attributes['boxlite.box.id']])).toEqual([
      ['late.export', 'b-orphan'],
    ]);
  });

  it('a host that stays up takes over a box socket once the CLI that launched the box exits', async () => {
    const h = tempHome();
    cleanups.push(h.cleanup);
    const app = await startTelemetry(h.paths, { otlpPort: 0 });
    cleanups.push(() => app.close());
    const cli = await startTelemetry(h.paths);
    await cli.daemon.ensureReceiver('b-hand');
    const sock = boxSocket(h.paths, 'b-hand');
    await cli.close();
    // Closing unlinks the CLI's socket; the answer below can only come from the app.
    await expect
      .poll(() => (fs.existsSync(sock) ? fs.statSync(sock).ino : undefined), { timeout: 5000, interval: 100 })
      .not.toBe(undefined);
    const traceId = hexId(16);
    app.store.registerBoxToken('b-hand', 'hand-token-1234567', traceId);
    const r = await rawPost({ socketPath: sock }, otlpJson([jsonSpan(traceId, 'after.cli')], 'in-box-app'), {
      'content-type': 'application/json',
      'box-auth-token': 'hand-token-1234567',
    });
    expect(r.status).toBe(200);
    expect(app.store.getTrace(traceId).map((s) => s.name)).toEqual(['after.cli']);
    // Removed by another process (its directory deleted): the app does not bring it back.
    fs.rmSync(path.dirname(sock), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.existsSync(path.dirname(sock))).toBe(false);
  });

  it('leaves a live receiver of another process alone and sees boots it stores', async () => {
    const h = tempHome();
    cleanups.push(h.cleanup);
    const app = await startTelemetry(h.paths, { otlpPort: 0 });
    cleanups.push(() => app.close());
    const cli = await startTelemetry(h.paths);
    cleanups.push(() => cli.close());
    const inode = fs.statSync(h.paths.otlpSocket).ino;
    await cli.daemon.ensureReceiver('b-x');
    expect(fs.statSync(h.paths.otlpSocket).ino).toBe(inode);

    const traceId = hexId(16);
    cli.store.registerBoxToken('b-x', 'cross-token-7654321');
    const waiting = cli.daemon.waitForBoot('b-x', traceId, 5000);
    const r = await rawPost(
      { socketPath: h.paths.otlpSocket },
      otlpJson([jsonSpan(traceId, 'box.boot')], 'boxlite-daemon'),
      {
        'content-type': 'application/json',
        'box-auth-token': 'cross-token-7654321',
      },
    );
    expect(r.status).toBe(200);
    expect((await waiting)?.name).toBe('box.boot');
  });

  it('finds the daemon binary by Docker architecture name', async () => {
    const s = await setup();
    const dir = path.join(s.home, 'daemons');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'boxlite-daemon-linux-arm64'), '');
    const t = await startTelemetry(s.paths, { env: { BOXSCOPE_DAEMON_DIR: dir } });
    cleanups.push(() => t.close());
    expect(t.daemon.binaryPath('aarch64')).toBe(path.join(dir, 'boxlite-daemon-linux-arm64'));
    expect(t.daemon.binaryPath('arm64')).toBe(path.join(dir, 'boxlite-daemon-linux-arm64'));
    const amd = t.daemon.binaryPath('x86_64');
    if (amd) expect(amd).toMatch(/daemon\/bin\/boxlite-daemon-linux-amd64$/);
    expect(t.daemon.binaryPath('s390x')).toBeUndefined();
  });
});

/** The handlers behind the core's entry: arguments validated as every host's are. */
function validated(h: ReturnType<typeof tracesHandlers>) {
  return async <C extends keyof typeof h>(channel: C, arg: unknown) =>
    (h[channel] as (a: unknown, o: { signal: AbortSignal }) => Promise<never>)(parseArg(channel, arg), {
      signal: new AbortController().signal,
    });
}

describe('traces handlers', () => {
  it('records UI spans as boxscope-ui, lists, gets, exports and re-imports', async () => {
    const s = await setup();
    const call = validated(tracesHandlers(ctxOf(s)));
    const traceId = hexId(16);
    const ui = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [jsonSpan(traceId, 'box.create')] }] }],
    });
    await call('traces:recordUi', { otlpJson: ui });
    const spans = await call('traces:get', { traceId });
    expect(spans[0]).toMatchObject({ name: 'box.create', serviceName: 'boxscope-ui' });
    expect((await call('traces:list', {}))[0]).toMatchObject({
      traceId,
      rootName: 'box.create',
      services: ['boxscope-ui'],
    });

    const exported = await call('traces:export', { traceId });
    const other = await setup();
    const call2 = validated(tracesHandlers(ctxOf(other)));
    expect(await call2('traces:import', { fileName: 'x.json', content: exported })).toEqual({ traceIds: [traceId] });
    expect(await call2('traces:get', { traceId })).toEqual(spans);
  });

  it('fails with codes a UI can act on', async () => {
    const s = await setup();
    const call = validated(tracesHandlers(ctxOf(s)));
    await expect(call('traces:get', { traceId: hexId(16) })).rejects.toMatchObject({ code: 'TRACE_NOT_FOUND' });
    await expect(call('traces:get', { traceId: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call('traces:import', { fileName: 'f.json', content: '[]' })).rejects.toMatchObject({
      code: 'BAD_TRACE_FILE',
    });
    await expect(call('traces:import', { fileName: 'f.json', content: '{"resourceSpans":[]}' })).rejects.toMatchObject({
      code: 'BAD_TRACE_FILE',
      message: 'f.json: the file holds no spans',
    });
    await expect(call('traces:recordUi', { otlpJson: '{' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('hosts', () => {
  it('receives on a free port when the requested one is taken', async () => {
    const first = await setup({ otlpPort: 0 });
    const port = Number(new URL(first.t.otlpEndpoint()!).port);
    const second = await setup({ otlpPort: port });
    const endpoint = second.t.otlpEndpoint()!;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(endpoint).port)).not.toBe(port);
    const traceId = hexId(16);
    const r = await rawPost({ url: endpoint }, otlpJson([jsonSpan(traceId, 'x')]), {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(200);
    expect(second.t.store.getTrace(traceId)).toHaveLength(1);
  });
});
