/**
 * Engines as the Docker CLI picks them, against the real engine behind a TLS
 * endpoint that verifies client certificates (socat in front of the engine's
 * socket): a context in Docker's own context store, chosen by --context,
 * DOCKER_CONTEXT or currentContext; DOCKER_HOST with DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH; and errors that name the context, the endpoint and what
 * to check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/service.js';
import {
  buildCli,
  buildImage,
  freePort,
  removeBoxesOfHome,
  removeImage,
  runCli,
  tempHome,
  waitFor,
  type TempHome,
} from '../fixtures/index.js';
import { makeCert } from '../fixtures/tls.js';
import { must } from '../fixtures/util.js';

const IMAGE = 'boxscope-test/contexts:1';
let dir: string;
let port: number;
let socat: ChildProcess;
let endpoint: string;
const homes: TempHome[] = [];

/** A client certificate signed by the test CA (what `docker context create --docker tlscert=…` points at). */
async function clientCert(caDir: string, out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const p = (f: string) => path.join(out, f);
  await must('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('key.pem'),
    '-out',
    p('c.csr'),
    '-subj',
    '/CN=client',
  ]);
  fs.writeFileSync(p('ext.cnf'), 'extendedKeyUsage=clientAuth\n');
  await must('openssl', [
    ...['x509', '-req', '-in', p('c.csr'), '-CA', path.join(caDir, 'ca.crt'), '-CAkey', path.join(caDir, 'ca.key')],
    ...['-CAcreateserial', '-days', '2', '-out', p('cert.pem'), '-extfile', p('ext.cnf')],
  ]);
  fs.copyFileSync(path.join(caDir, 'ca.crt'), p('ca.pem'));
}

/** Writes a context into a Docker config dir's store, as `docker context create` does. */
function writeContext(configDir: string, name: string, host: string, tls?: { from: string; files: string[] }): void {
  const id = crypto.createHash('sha256').update(name).digest('hex');
  const meta = path.join(configDir, 'contexts', 'meta', id);
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(
    path.join(meta, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: `${name} (test)` },
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
  );
  if (tls) {
    const t = path.join(configDir, 'contexts', 'tls', id, 'docker');
    fs.mkdirSync(t, { recursive: true });
    for (const f of tls.files) fs.copyFileSync(path.join(tls.from, f), path.join(t, f));
  }
}

beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-ctx-'));
  const server = await makeCert(path.join(dir, 'server'), ['127.0.0.1', 'localhost']);
  await clientCert(server.dir, path.join(dir, 'client'));
  const other = await makeCert(path.join(dir, 'other'), ['127.0.0.1']);
  fs.copyFileSync(path.join(other.dir, 'ca.crt'), path.join(dir, 'other', 'ca.pem'));
  port = await freePort();
  endpoint = `tcp://127.0.0.1:${port}`;
  socat = spawn(
    'socat',
    [
      `OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,cert=${server.cert},key=${server.key},cafile=${server.caCert},verify=1`,
      'UNIX-CONNECT:/var/run/docker.sock',
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(undefined));
      }),
    'socat TLS endpoint',
  );
}, 120_000);

afterAll(async () => {
  for (const h of homes) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  socat?.kill();
  await removeImage(IMAGE);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh home whose Docker config has the test contexts. */
function home(): TempHome & { configDir: string } {
  const h = tempHome();
  homes.push(h);
  const configDir = h.env.DOCKER_CONFIG!;
  const client = path.join(dir, 'client');
  writeContext(configDir, 'ci-tls', endpoint, { from: client, files: ['ca.pem', 'cert.pem', 'key.pem'] });
  writeContext(configDir, 'ci-bad-ca', endpoint, { from: path.join(dir, 'other'), files: ['ca.pem'] });
  fs.copyFileSync(path.join(client, 'cert.pem'), path.join(dir, 'other', 'cert.pem'));
  writeContext(configDir, 'ci-no-client-cert', endpoint, { from: client, files: ['ca.pem'] });
  return Object.assign(h, { configDir });
}

describe('Docker contexts and remote engines', () => {
  it('--context: launches through the TLS endpoint, and the box is on that engine', async () => {
    const h = home();
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json', '--context', 'ci-tls'], { env: h.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.state).toBe('running');
    const boxes = await runCli(['boxes', '--json', '--context', 'ci-tls'], { env: h.env });
    expect(JSON.parse(boxes.stdout).map((b: { boxId: string }) => b.boxId)).toContain(out.boxId);
  }, 60_000);

  it('DOCKER_CONTEXT and currentContext pick it too; DOCKER_HOST wins over both, as in docker', async () => {
    const h = home();
    expect((await runCli(['boxes'], { env: { ...h.env, DOCKER_CONTEXT: 'ci-tls' } })).code).toBe(0);
    fs.writeFileSync(path.join(h.configDir, 'config.json'), JSON.stringify({ currentContext: 'ci-tls' }));
    expect((await runCli(['boxes'], { env: h.env })).code).toBe(0);
    const over = await runCli(['boxes'], {
      env: { ...h.env, DOCKER_CONTEXT: 'ci-tls', DOCKER_HOST: 'unix:///tmp/bxs-none.sock' },
    });
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('unix:///tmp/bxs-none.sock (DOCKER_HOST)');
    // --context wins over DOCKER_HOST.
    const flag = await runCli(['boxes', '--context', 'ci-tls'], {
      env: { ...h.env, DOCKER_HOST: 'unix:///tmp/bxs-none.sock' },
    });
    expect(flag.code).toBe(0);
  }, 60_000);

  it('DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    const h = home();
    const env = { ...h.env, DOCKER_HOST: endpoint, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(dir, 'client') };
    expect((await runCli(['boxes'], { env })).code).toBe(0);
    const plain = await runCli(['boxes'], { env: { ...h.env, DOCKER_HOST: endpoint } });
    expect(plain.code).not.toBe(0);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toContain(`${endpoint} (DOCKER_HOST)`);
  }, 60_000);

  it('errors name the context, the endpoint and what to check', async () => {
    const h = home();
    const badCa = await runCli(['boxes', '--context', 'ci-bad-ca'], { env: h.env });
    expect(badCa.code).not.toBe(0);
    expect(badCa.stderr).toContain(`context ci-bad-ca at ${endpoint}: certificate signed by unknown authority`);
    expect(badCa.stderr).toContain('ca.pem');
    const noCert = await runCli(['boxes', '--context', 'ci-no-client-cert'], { env: h.env });
    expect(noCert.code).not.toBe(0);
    expect(noCert.stderr).toContain(
      `context ci-no-client-cert at ${endpoint}: the engine refused this client's certificate`,
    );
    const missing = await runCli(['boxes', '--context', 'nope'], { env: h.env });
    expect(missing.stderr.trim()).toBe(
      `boxscope: Docker context "nope" does not exist in ${path.join(h.configDir, 'contexts')}: create it with docker context create, or pick another`,
    );
  }, 60_000);

  it('the core says which engine it talks to, and lists the contexts to switch to', async () => {
    const h = home();
    const core = await createCore({ host: 'cli', env: { ...h.env, DOCKER_CONTEXT: 'ci-tls' }, otlpPort: 0 });
    try {
      const s = await core.api.call('engine:status');
      expect(s).toMatchObject({ reachable: true, context: 'ci-tls', endpoint: `context ci-tls at ${endpoint}` });
      const list = await core.api.call('engine:contexts');
      expect(list.current).toBe('ci-tls');
      expect(list.contexts.map((c) => c.name)).toEqual(['ci-bad-ca', 'ci-no-client-cert', 'ci-tls', 'default']);
      await core.api.call('engine:use', { context: 'default' });
      expect(await core.api.call('engine:status')).toMatchObject({ reachable: true, context: 'default' });
      await expect(core.api.call('engine:use', { context: 'nope' })).rejects.toThrow(/does not exist/);
    } finally {
      await core.close();
    }
  }, 60_000);
});
