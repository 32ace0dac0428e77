/**
 * The in-box daemon's real Go OTLP exporter (protobuf over the unix socket,
 * with box-auth-token) against this receiver, without a container: the
 * daemon runs on the host as it would as a box's entrypoint wrapper.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { boxSocket, hexId, startTelemetry, tempHome } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let env: ReturnType<typeof tempHome>;
let tel: Awaited<ReturnType<typeof startTelemetry>>;
let daemon: string;

beforeAll(async () => {
  env = tempHome();
  daemon = path.join(env.home, 'boxlite-daemon');
  execFileSync('go', ['build', '-o', daemon, '.'], {
    cwd: path.join(root, 'daemon'),
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: 'pipe',
  });
  tel = await startTelemetry(env.paths);
  // As a bare `boxscope launch` does before starting a box.
  await tel.daemon.ensureReceiver('box-daemon-1');
  await tel.daemon.ensureReceiver('box-daemon-2');
}, 300_000);
afterAll(async () => {
  await tel?.close();
  env?.cleanup();
});

it('stores the daemon boot span under the injected parent, tagged with the token’s box', async () => {
  const traceId = hexId(16);
  const parent = hexId(8);
  const token = `tok-${hexId(12)}`;
  tel.store.registerBoxToken('box-daemon-1', token);
  const waiting = tel.daemon.waitForBoot('box-daemon-1', traceId, 15_000);
  const r = spawnSync(daemon, ['--no-relay', '--', '/bin/sh', '-c', 'exit 3'], {
    env: {
      BOXLITE_BOX_ID: 'box-daemon-1',
      BOXLITE_TRACEPARENT: `00-${traceId}-${parent}-01`,
      BOXLITE_OTEL_ENDPOINT: `unix://${boxSocket(env.paths, 'box-daemon-1')}`,
      OTEL_EXPORTER_OTLP_HEADERS: `box-auth-token=${token}`,
      PATH: process.env.PATH,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(3);
  const boot = await waiting;
  expect(boot).toMatchObject({
    traceId,
    parentSpanId: parent,
    serviceName: 'boxlite-daemon',
    attributes: { 'boxlite.box.id': 'box-daemon-1' },
  });
  // process.exit rides the daemon's bounded final flush, which may give up under load: not asserted here.
  await expect
    .poll(() => tel.store.getTrace(traceId).map((s) => s.name), { timeout: 5000, interval: 100 })
    .toContain('process.start');
  expect(JSON.stringify(tel.store.getTrace(traceId))).not.toContain(token);
});

it('refuses the daemon when its token is unknown', async () => {
  const traceId = hexId(16);
  const r = spawnSync(daemon, ['--no-relay', '--', '/bin/true'], {
    env: {
      BOXLITE_BOX_ID: 'box-daemon-2',
      BOXLITE_TRACEPARENT: `00-${traceId}-${hexId(8)}-01`,
      BOXLITE_OTEL_ENDPOINT: `unix://${boxSocket(env.paths, 'box-daemon-2')}`,
      OTEL_EXPORTER_OTLP_HEADERS: 'box-auth-token=forged',
      PATH: process.env.PATH,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(0);
  expect(await tel.daemon.waitForBoot('box-daemon-2', traceId, 500)).toBeUndefined();
  expect(tel.store.getTrace(traceId)).toEqual([]);
});
