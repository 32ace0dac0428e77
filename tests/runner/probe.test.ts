/**
 * The registry probe against a ghcr.io-like token registry over real TLS:
 * the Bearer flow with scope repository:NAME:pull, and the outcomes a user
 * must be able to tell apart (401, 403, manifest unknown, TLS, unreachable).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../electron/core/credentials/index.js';
import { probeRegistry } from '../../electron/core/registry/probe.js';
import { makeCert } from '../fixtures/tls.js';
import { freePort } from '../fixtures/util.js';

let dir: string;
let server: https.Server;
let realmServer: https.Server;
let plainRealmServer: http.Server;
let plainRealmHost: string;
let host: string;
let realmHost: string;
let caEnv: NodeJS.ProcessEnv;
const seen: Array<{ host: string; path: string; auth?: string }> = [];

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cred = (username: string, secret: string): Credential => ({
  key: host,
  registry: host,
  source: 'env',
  sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
  username,
  secret,
  readOnly: true,
});

/** Users: `reader` may pull acme/app, `nobody` has a valid token without the package scope. */
function tokenRegistry(realmUrl: () => string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    seen.push({ host: req.headers.host ?? '', path: req.url ?? '', auth: req.headers.authorization });
    const auth = req.headers.authorization ?? '';
    if (url.pathname === '/token' && req.method === 'POST') {
      // The OAuth refresh-token grant Docker's identity tokens use.
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        seen.push({ host: req.headers.host ?? '', path: `POST ${req.url}`, auth: form.get('refresh_token') ?? '' });
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'refresh-right')
          return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
        json(res, 200, { access_token: form.get('scope') === 'repository:acme/app:pull' ? 'read' : 'none' });
      });
      return;
    }
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope');
      if (!auth) return json(res, 200, { token: 'anon' });
      if (auth === `Basic ${b64('reader:right')}`)
        return json(res, 200, { token: scope === 'repository:acme/app:pull' ? 'read' : 'none' });
      if (auth === `Basic ${b64('nobody:right')}`) return json(res, 200, { token: 'none' });
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
    }
    if (!auth.startsWith('Bearer ')) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realmUrl()}",service="${host}"` });
      return res.end();
    }
    const token = auth.slice(7);
    if (url.pathname === '/v2/') return json(res, 200, {});
    if (url.pathname.startsWith('/v2/acme/app/manifests/')) {
      if (token === 'anon') return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      if (token !== 'read') return json(res, 403, { errors: [{ code: 'DENIED' }] });
      return url.pathname.endsWith('/1')
        ? json(res, 200, {})
        : json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    }
    json(res, 404, {});
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-probe-'));
  const cert = await makeCert(dir, ['localhost', '127.0.0.1']);
  const tlsOpts = { cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) };
  const port = await freePort();
  const realmPort = await freePort();
  host = `localhost:${port}`;
  realmHost = `localhost:${realmPort}`;
  let realm = `https://${host}/token`;
  server = https.createServer(
    tlsOpts,
    tokenRegistry(() => realm),
  );
  realmServer = https.createServer(
    tlsOpts,
    tokenRegistry(() => realm),
  );
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  await new Promise<void>((r) => realmServer.listen(realmPort, '127.0.0.1', r));
  const plainPort = await freePort();
  plainRealmHost = `localhost:${plainPort}`;
  plainRealmServer = http.createServer(tokenRegistry(() => realm));
  await new Promise<void>((r) => plainRealmServer.listen(plainPort, '127.0.0.1', r));
  // The probe must honour NODE_EXTRA_CA_CERTS from the core's env, not only the process's.
  caEnv = { NODE_EXTRA_CA_CERTS: cert.caCert };
  setRealm = (r: string) => (realm = r);
});
let setRealm: (r: string) => void;

afterAll(async () => {
  server?.closeAllConnections();
  realmServer?.closeAllConnections();
  plainRealmServer?.closeAllConnections();
  await Promise.all([
    new Promise((r) => server?.close(r)),
    new Promise((r) => realmServer?.close(r)),
    new Promise((r) => plainRealmServer?.close(r)),
  ]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('probeRegistry', () => {
  const probe = (c?: Credential, reference = '1', env = caEnv) =>
    probeRegistry({ registry: host, repository: 'acme/app', reference, credential: c, env, certsDir: dir });

  it('follows the Bearer challenge with scope repository:NAME:pull', async () => {
    seen.length = 0;
    expect(await probe(cred('reader', 'right'))).toMatchObject({ outcome: 'ok' });
    const tokenCall = seen.find((s) => s.path.startsWith('/token'))!;
    expect(tokenCall.path).toContain('scope=repository%3Aacme%2Fapp%3Apull');
    expect(tokenCall.auth).toBe(`Basic ${b64('reader:right')}`);
  });

  it('401: names the registry and the credential source, never the secret', async () => {
    const r = await probe(cred('reader', 'wrong-secret'));
    expect(r.outcome).toBe('unauthorized');
    expect(r.message).toContain(`401 Unauthorized from ${host}`);
    expect(r.message).toContain('GHCR_USERNAME/GHCR_TOKEN');
    expect(r.message).not.toContain('wrong-secret');
    expect((await probe(undefined)).outcome).toBe('unauthorized');
  });

  it('403: a valid token without the pull scope', async () => {
    const r = await probe(cred('nobody', 'right'));
    expect(r.outcome).toBe('forbidden');
    expect(r.message).toMatch(/403 Forbidden .* may not pull acme\/app/);
    expect(r.message).toContain('the token lacks read access to that package');
  });

  it('manifest unknown', async () => {
    const r = await probe(cred('reader', 'right'), '2');
    expect(r).toMatchObject({ outcome: 'not-found' });
    expect(r.message).toContain('acme/app:2');
  });

  it('TLS not trusted, and unreachable', async () => {
    expect((await probe(cred('reader', 'right'), '1', {})).outcome).toBe('tls-untrusted');
    const closed = await freePort();
    const r = await probeRegistry({ registry: `localhost:${closed}`, env: caEnv, certsDir: dir });
    expect(r.outcome).toBe('unreachable');
    expect(r.message).toContain(`localhost:${closed}`);
  });

  it('exchanges an identity token at the realm the registry names over TLS, never over plain HTTP', async () => {
    const idCred = (identityToken: string): Credential => ({
      key: host,
      registry: host,
      source: 'docker-config',
      sourceDetail: '$DOCKER_CONFIG/config.json',
      identityToken,
      readOnly: true,
    });
    seen.length = 0;
    expect(await probe(idCred('refresh-right'))).toMatchObject({ outcome: 'ok' });
    expect(seen.find((s) => s.path.startsWith('POST /token'))?.auth).toBe('refresh-right');
    expect((await probe(idCred('refresh-wrong'))).outcome).toBe('unauthorized');
    setRealm(`https://${realmHost}/token`);
    seen.length = 0;
    try {
      expect(await probe(idCred('refresh-right'))).toMatchObject({ outcome: 'ok' });
      expect(seen.find((s) => s.host === realmHost && s.path.startsWith('POST /token'))?.auth).toBe('refresh-right');
    } finally {
      setRealm(`https://${host}/token`);
    }
    setRealm(`http://${plainRealmHost}/token`);
    seen.length = 0;
    try {
      await probe(idCred('refresh-right'));
      expect(seen.filter((s) => s.host === plainRealmHost).length).toBeGreaterThan(0);
      expect(JSON.stringify(seen)).not.toContain('refresh-right');
    } finally {
      setRealm(`https://${host}/token`);
    }
  });

  it('sends the secret to an HTTPS token realm on another host (as Docker Hub names auth.docker.io)', async () => {
    setRealm(`https://${realmHost}/token`);
    seen.length = 0;
    try {
      expect(await probe(cred('reader', 'right'))).toMatchObject({ outcome: 'ok' });
      const atRealm = seen.filter((s) => s.host === realmHost);
      expect(atRealm.map((s) => s.auth)).toContain(`Basic ${b64('reader:right')}`);
    } finally {
      setRealm(`https://${host}/token`);
    }
  });

  it('never sends the secret to a token realm over plain HTTP', async () => {
    setRealm(`http://${plainRealmHost}/token`);
    seen.length = 0;
    try {
      await probe(cred('reader', 'right'));
      const atRealm = seen.filter((s) => s.host === plainRealmHost);
      expect(atRealm.length).toBeGreaterThan(0);
      expect(atRealm.every((s) => !s.auth)).toBe(true);
    } finally {
      setRealm(`https://${host}/token`);
    }
  });
});
