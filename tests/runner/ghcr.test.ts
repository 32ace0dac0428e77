/**
 * The literal ghcr.io path without the internet: a real registry posed as
 * ghcr.io (asGhcr), reached with GHCR_USERNAME/GHCR_TOKEN, and a saved
 * prefix-scoped credential that wins over the env pair for its prefix only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asGhcr,
  buildCli,
  inspectText,
  pushImage,
  readTree,
  removeBoxesOfHome,
  removeImage,
  runCli,
  tempHome,
  type GhcrRegistry,
  type PushedImage,
  type TempHome,
} from '../fixtures/index.js';

const USER = 'octo';
const TOKEN = 'ghp_' + Math.random().toString(36).slice(2) + 'Xyz';
let ghcr: GhcrRegistry;
let acme: PushedImage;
let other: PushedImage;
const homes: TempHome[] = [];

function home(): TempHome {
  const h = tempHome();
  h.env.NODE_EXTRA_CA_CERTS = ghcr.nodeExtraCaCerts;
  homes.push(h);
  return h;
}

beforeAll(async () => {
  await buildCli();
  ghcr = await asGhcr([{ username: USER, password: TOKEN }]);
  acme = await pushImage(ghcr, 'acme/private-box:1');
  other = await pushImage(ghcr, 'other/tool:2');
});

afterAll(async () => {
  for (const h of homes) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  if (acme) await removeImage(acme.ref);
  if (other) await removeImage(other.ref);
  await ghcr?.stop();
});

describe('ghcr.io with GHCR_USERNAME/GHCR_TOKEN', () => {
  it('pulls and launches with the env pair, which the trace names as the source', async () => {
    const h = home();
    Object.assign(h.env, { GHCR_USERNAME: USER, GHCR_TOKEN: TOKEN });
    const r = await runCli(['launch', acme.ref, '--json', '--no-daemon'], { env: h.env });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ image: 'ghcr.io/acme/private-box:1', imageDigest: acme.digest, state: 'running' });
    const trace = await runCli(['trace', out.traceId, '--json'], { env: h.env });
    expect(trace.stdout).toContain('GHCR_USERNAME/GHCR_TOKEN');
    const everything = [r.stdout, trace.stdout, await inspectText(out.containerId), readTree(h.home)].join('\n');
    expect(everything).not.toContain(TOKEN);
    // Env credentials are runtime-scoped: nothing about them was written.
    expect(
      (await runCli(['registries', '--json'], { env: { ...h.env, GHCR_USERNAME: '', GHCR_TOKEN: '' } })).stdout.trim(),
    ).toBe('[]');
  });

  it('a wrong token: 401 naming ghcr.io and GHCR_USERNAME/GHCR_TOKEN', async () => {
    const h = home();
    Object.assign(h.env, { GHCR_USERNAME: USER, GHCR_TOKEN: 'ghp_wrong' });
    await removeImage(acme.ref);
    const r = await runCli(['launch', acme.ref, '--no-daemon'], { env: h.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/401 Unauthorized from ghcr\.io: credentials from GHCR_USERNAME\/GHCR_TOKEN/);
    expect(r.stderr).not.toContain('ghp_wrong');
  });

  it('unset: 401 that points at GHCR_USERNAME/GHCR_TOKEN', async () => {
    const h = home();
    await removeImage(acme.ref);
    const r = await runCli(['launch', acme.ref, '--no-daemon'], { env: h.env });
    expect(r.stderr).toMatch(/401 Unauthorized from ghcr\.io: no credentials.*GHCR_USERNAME\/GHCR_TOKEN/);
  });

  it('a half pair: the 401 line itself names the missing variable', async () => {
    const h = home();
    Object.assign(h.env, { GHCR_USERNAME: USER });
    await removeImage(acme.ref);
    const r = await runCli(['launch', acme.ref, '--no-daemon'], { env: h.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/401 Unauthorized from ghcr\.io: .*GHCR_USERNAME is set but GHCR_TOKEN is not/);
  });

  it('a saved ghcr.io/acme/ credential wins for its prefix only', async () => {
    const h = home();
    const login = await runCli(['login', 'ghcr.io/acme/', '-u', USER, '--password-stdin', '--allow-insecure-store'], {
      env: h.env,
      input: TOKEN,
    });
    expect(login.stdout).toContain('ghcr.io/acme/');
    Object.assign(h.env, { GHCR_USERNAME: USER, GHCR_TOKEN: 'ghp_wrong' });
    await removeImage(acme.ref);
    await removeImage(other.ref);
    const ok = await runCli(['launch', acme.ref, '--no-daemon'], { env: h.env });
    expect(ok.code).toBe(0);
    const denied = await runCli(['launch', other.ref, '--no-daemon'], { env: h.env });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('GHCR_USERNAME/GHCR_TOKEN');
  });
});
