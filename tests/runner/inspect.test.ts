/**
 * `boxes:inspect` on the real engine: what `docker inspect` says of a box,
 * reserved env flagged, the box's receiver token masked (never in the result),
 * Boxscope's own mounts flagged, the traceparent and the span it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, RESERVED_BOX_ENV, SECRET_MASK } from '../../shared/constants.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { buildImage, docker, tempHome, type TempHome, endCore } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/inspect:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(IMAGE);
  h = tempHome();
  core = await createCore({ host: 'cli', env: h.env });
}, 120_000);

afterAll(() => endCore(core, h));

describe('inspect', () => {
  it('shows the engine view of a box with the token masked and the names Boxscope set flagged', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, env: { GREETING: 'hi there' }, daemon: false });
    const raw = await docker.getContainer(r.containerId).inspect();
    const headers = raw.Config.Env.find((e) => e.startsWith(`${ENV.otlpHeaders}=`))!;
    const token = headers.slice(headers.lastIndexOf('=') + 1);
    expect(token).toMatch(/^[0-9a-f]{48}$/);

    const i = await core.api.call('boxes:inspect', { boxId: r.boxId });
    expect(JSON.stringify(i)).not.toContain(token);
    expect(i).toMatchObject({ boxId: r.boxId, containerId: r.containerId, image: IMAGE, state: 'running' });
    expect(i.name).toBe(raw.Name.replace(/^\//, ''));
    const env = Object.fromEntries(i.env.map((e) => [e.name, e]));
    expect(env.GREETING).toEqual({ name: 'GREETING', value: 'hi there', reserved: false });
    expect(env[ENV.otlpHeaders]).toEqual({ name: ENV.otlpHeaders, value: SECRET_MASK, reserved: true, secret: true });
    for (const name of RESERVED_BOX_ENV.filter((n) => env[n])) expect(env[name].reserved).toBe(true);
    expect(env[ENV.traceparent].value).toBe(i.traceparent);
    const [, tid, sid] = i.traceparent!.split('-');
    expect(i.traceparentSpan).toEqual({ traceId: tid, spanId: sid });
    expect(tid).toBe(r.traceId);
    // The span it names is the runner's container.create of this launch.
    expect(core.ctx.store.getSpan(tid, sid)?.name).toBe('container.create');

    expect(i.mounts.length).toBeGreaterThan(0);
    for (const m of i.mounts) expect(m.boxscope).toBe(m.target.startsWith('/.boxlite'));
    expect(i.mounts.find((m) => m.target === '/.boxlite/run')).toMatchObject({ readOnly: true, boxscope: true });
    expect(i.labels['boxlite.box.id']).toBe(r.boxId);
    expect(i.network).toBe(raw.HostConfig.NetworkMode);
    expect(i.restartPolicy).toBe('no');
    expect(i.restartCount).toBe(0);
    expect(i.exitCode).toBeUndefined();
    expect(Date.parse(i.startedAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(i.finishedAt).toBeUndefined();
    expect(i.cmd.join(' ')).toContain('sleep 3600');

    await core.api.call('boxes:stop', { boxId: r.boxId });
    const stopped = await core.api.call('boxes:inspect', { boxId: r.boxId });
    expect(stopped.state).toBe('exited');
    expect(stopped.exitCode).toBe(0);
    expect(Date.parse(stopped.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(stopped.startedAt!));
    expect(JSON.stringify(stopped)).not.toContain(token);
  }, 60_000);

  it('refuses an unknown box in words', async () => {
    await expect(core.api.call('boxes:inspect', { boxId: 'bx-nosuchbox00' })).rejects.toMatchObject({
      code: 'BOX_NOT_FOUND',
    });
  });
});
