/**
 * ghcr.io's sign-in dance against the real parts: a distribution registry in
 * token-auth mode whose challenge names a token realm on another host (as
 * Docker Hub's names auth.docker.io), and a token issuer signing JWTs that
 * grant or deny `repository:NAME:pull`. A good token launches; a wrong one is
 * reported as a rejected login naming its source; a token without the pull
 * scope is reported as lacking read access — by the probe and by a real
 * launch through the engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../electron/core/credentials/index.js';
import { probeRegistry } from '../../electron/core/registry/probe.js';
import {
  buildCli,
  pushImage,
  removeBoxesOfHome,
  removeImage,
  runCli,
  startRegistry,
  tempHome,
  type PushedImage,
  type TempHome,
  type TestRegistry,
} from '../fixtures/index.js';
import { makeCert } from '../fixtures/tls.js';
import { startTokenIssuer, type TokenIssuer, type TokenUser } from '../fixtures/token-issuer.js';

const SECRET = 'ghp_' + Math.random().toString(36).slice(2) + 'Pat';
const REPO = 'acme/private-box';
const users: TokenUser[] = [
  { username: 'pusher', password: SECRET + '-push', grants: { [REPO]: ['pull', 'push'] } },
  { username: 'reader', password: SECRET, grants: { [REPO]: ['pull'] } },
  { username: 'outsider', password: SECRET + '-out', grants: {} },
];

let dir: string;
let issuer: TokenIssuer;
let reg: TestRegistry;
let img: PushedImage;
const homes: TempHome[] = [];

beforeAll(async () => {
  await buildCli();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-token-'));
  const tls = await makeCert(path.join(dir, 'tls'), ['localhost', '127.0.0.1']);
  issuer = await startTokenIssuer({ dir, tls, users });
  reg = await startRegistry({ users, cert: tls, token: issuer });
  img = await pushImage(reg, `${REPO}:1`, { layers: 1 });
}, 120_000);

afterAll(async () => {
  for (const h of homes) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  await removeImage(img?.ref ?? 'none');
  await reg?.stop();
  await issuer?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const cred = (username: string, secret: string): Credential => ({
  key: reg.host,
  registry: reg.host,
  source: 'env',
  sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
  username,
  secret,
  readOnly: true,
});
const probe = (c?: Credential, reference = '1') =>
  probeRegistry({
    registry: reg.host,
    repository: REPO,
    reference,
    credential: c,
    env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'tls', 'ca.crt') },
    certsDir: path.join(dir, 'no-certs.d'),
  });

describe('a token-auth registry with its realm on another host', () => {
  it('the probe: a good token is accepted, at the realm the challenge names', async () => {
    issuer.requests.length = 0;
    expect(await probe(cred('reader', SECRET))).toMatchObject({ outcome: 'ok' });
    const asked = issuer.requests.find((r) => r.scope === `repository:${REPO}:pull`);
    expect(asked?.authorization).toBe(`Basic ${Buffer.from(`reader:${SECRET}`).toString('base64')}`);
    expect(asked?.status).toBe(200);
  });

  it('the probe: a wrong token is a rejected login naming its source, not a missing scope', async () => {
    const r = await probe(cred('reader', 'ghp_wrong'));
    expect(r.outcome).toBe('unauthorized');
    expect(r.message).toContain(`401 Unauthorized from ${reg.host}`);
    expect(r.message).toContain('GHCR_USERNAME/GHCR_TOKEN');
    expect(r.message).toContain('rejected');
    expect(r.message).not.toMatch(/403|scope/);
    expect(r.message).not.toContain('ghp_wrong');
  });

  it('the probe: a token without the pull scope lacks read access to the package', async () => {
    const r = await probe(cred('outsider', SECRET + '-out'));
    expect(r.outcome).toBe('forbidden');
    expect(r.message).toContain(`may not pull ${REPO}`);
    expect(r.message).toContain('the token lacks read access to that package');
    expect(r.message).not.toContain(SECRET);
  });

  it('the probe: no credential at all is a 401 that says none were found', async () => {
    const r = await probe(undefined);
    expect(r.outcome).toBe('unauthorized');
    expect(r.message).toContain('no credentials were found');
  });

  const launchAs = async (username: string, password: string) => {
    const h = tempHome();
    homes.push(h);
    h.writeDockerConfig({ auths: { [reg.host]: { username, password } } });
    await removeImage(img.ref);
    return runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
  };

  it('a launch with a good token pulls through the engine and runs', async () => {
    const r = await launchAs('reader', SECRET);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ image: img.ref, imageDigest: img.digest, state: 'running' });
  }, 60_000);

  it('a launch with a wrong token fails with the rejected login, naming the source', async () => {
    const r = await launchAs('reader', 'ghp_wrong');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`401 Unauthorized from ${reg.host}`);
    expect(r.stderr).toContain('$DOCKER_CONFIG/config.json');
    expect(r.stderr).not.toMatch(/403|lacks/);
    expect(r.stderr).not.toContain('ghp_wrong');
  }, 60_000);

  it('a launch with a token lacking the pull scope says so', async () => {
    const r = await launchAs('outsider', SECRET + '-out');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`may not pull ${REPO}`);
    expect(r.stderr).toContain('lacks read access');
    expect(r.stderr).not.toContain(SECRET);
  }, 60_000);
});
