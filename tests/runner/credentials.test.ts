/**
 * Private pulls through the real CLI, engine and a real TLS registry with
 * htpasswd: every credential source, the clear 401s, and the secret kept
 * out of the data dir, logs, CLI output and `docker inspect`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  initPassStore,
  inspectText,
  pushImage,
  readTree,
  removeBoxesOfHome,
  removeImage,
  run,
  ROOT,
  runCli,
  startRecordingRegistry,
  startRegistry,
  tempHome,
  type PassStore,
  type PushedImage,
  type RecordingRegistry,
  type TempHome,
  type TestRegistry,
} from '../fixtures/index.js';

const USER = 'alice';
const SECRET = 'tok-' + Math.random().toString(36).slice(2) + '-private';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let reg: TestRegistry;
let img: PushedImage;
const homes: TempHome[] = [];
const home = () => {
  const h = tempHome();
  homes.push(h);
  return h;
};

beforeAll(async () => {
  await buildCli();
  reg = await startRegistry({ users: [{ username: USER, password: SECRET }], tls: true });
  img = await pushImage(reg, 'acme/private-box:1', { layers: 1 });
});

afterAll(async () => {
  for (const h of homes) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  await removeImage(img?.ref ?? 'none');
  await reg?.stop();
});

/** Nothing a user or a file can see holds the secret (nor its base64 form inside a Basic header). */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(b64(`${USER}:${SECRET}`));
}

describe('private pulls', () => {
  it('without credentials: one clear 401 line naming the registry, and a failed box', async () => {
    const h = home();
    const r = await runCli(['launch', img.ref, '--no-daemon'], { env: h.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`401 Unauthorized from ${reg.host}: no credentials`));
    expect(r.stderr).not.toMatch(/HTTP request to an HTTPS server|connection reset/);
    const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]).toMatchObject({ state: 'failed', image: img.ref });
    expect(boxes[0].reason).toMatch(/401/);
  });

  it('with docker config.json auths: launches and prints exactly the JSON contract', async () => {
    const h = home();
    h.writeDockerConfig({ auths: { [`https://${reg.host}`]: { auth: b64(`${USER}:${SECRET}`) } } });
    await removeImage(img.ref);
    const r = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['boxId', 'containerId', 'image', 'imageDigest', 'state', 'traceId']);
    expect(out).toMatchObject({ image: img.ref, imageDigest: img.digest, state: 'running' });
    expect(out.traceId).toMatch(/^[0-9a-f]{32}$/);
    expectNoSecret(r.stdout + r.stderr + (await inspectText(out.containerId)));
  });

  it('wrong credentials: 401 naming the registry and the source used', async () => {
    const h = home();
    h.writeDockerConfig({ auths: { [reg.host]: { username: USER, password: 'wrong-password' } } });
    await removeImage(img.ref);
    const r = await runCli(['launch', img.ref, '--no-daemon'], { env: h.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`401 Unauthorized from ${reg.host}`);
    expect(r.stderr).toContain('$DOCKER_CONFIG/config.json');
    expect(r.stderr).toContain(`user ${USER}`);
    expect(r.stderr).not.toContain('wrong-password');
  });

  it('login stores in docker-credential-pass (tested first), launches, and the secret is nowhere', async () => {
    const h = home();
    let pass: PassStore | undefined;
    try {
      pass = await initPassStore(h.dir, h.env);
      Object.assign(h.env, pass.env);
      const bad = await runCli(['login', reg.host, '-u', USER, '--password-stdin'], { env: h.env, input: 'not-it\n' });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/Not saved: 401/);
      expect(bad.stderr).toContain(`the credentials entered (user ${USER})`);
      expect(bad.stderr).not.toMatch(/credentials from the credentials|Not saved:.*Not saved:/);

      const login = await runCli(['login', reg.host, '-u', USER, '--password-stdin'], {
        env: h.env,
        input: SECRET + '\n',
      });
      expect(login.stderr).toBe('');
      expect(login.stdout).toContain('docker-credential-pass');
      const list = await runCli(['registries'], { env: h.env });
      expect(list.stdout).toMatch(new RegExp(`${reg.host}\\s+${USER}\\s+app`));

      await removeImage(img.ref);
      const r = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      const logs = await runCli(['logs', out.boxId], { env: h.env });
      expect(logs.stdout).toContain('box up');
      const trace = await runCli(['trace', out.traceId, '--json'], { env: h.env });
      expect(trace.stdout).toContain('registry.auth');
      expect(trace.stdout).toContain('docker-credential-pass');
      expectNoSecret(
        [
          login.stdout,
          login.stderr,
          list.stdout,
          r.stdout,
          r.stderr,
          logs.stdout,
          trace.stdout,
          await inspectText(out.containerId),
          readTree(h.home),
        ].join('\n'),
      );
      // The password store holds it encrypted, not in clear.
      expectNoSecret(readTree(pass.env.PASSWORD_STORE_DIR));

      const logout = await runCli(['logout', reg.host], { env: h.env });
      expect(logout.code).toBe(0);
      expect((await runCli(['registries'], { env: h.env })).stdout).not.toContain(reg.host);
    } finally {
      await pass?.cleanup();
    }
  });

  it('docker config credsStore and credHelpers through the real docker-credential-pass', async () => {
    const h = home();
    let pass: PassStore | undefined;
    try {
      pass = await initPassStore(h.dir, h.env);
      Object.assign(h.env, pass.env);
      const stored = await run('docker-credential-pass', ['store'], {
        env: h.env,
        input: JSON.stringify({ ServerURL: reg.host, Username: USER, Secret: SECRET }),
      });
      expect(stored.code).toBe(0);
      for (const cfg of [{ credsStore: 'pass' }, { credHelpers: { [reg.host]: 'pass' } }]) {
        h.writeDockerConfig(cfg);
        await removeImage(img.ref);
        const r = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
        expect(r.stderr).toBe('');
        const out = JSON.parse(r.stdout);
        const trace = await runCli(['trace', out.traceId, '--json'], { env: h.env });
        expect(trace.stdout).toContain('docker-credential-pass');
        expectNoSecret(r.stdout + trace.stdout + (await inspectText(out.containerId)));
      }
      const list = await runCli(['registries'], { env: h.env });
      expect(list.stdout).toMatch(new RegExp(`${reg.host}\\s+\\S+\\s+docker-cred-helper`));
      expectNoSecret(list.stdout + readTree(h.home));
    } finally {
      await pass?.cleanup();
    }
  });

  it('resolves as the Docker CLI does: credHelpers, then credsStore, then auths', async () => {
    const h = home();
    let pass: PassStore | undefined;
    try {
      pass = await initPassStore(h.dir, h.env);
      Object.assign(h.env, pass.env);
      const stored = await run('docker-credential-pass', ['store'], {
        env: h.env,
        input: JSON.stringify({ ServerURL: reg.host, Username: USER, Secret: SECRET }),
      });
      expect(stored.code).toBe(0);
      // A stale secret left in auths must not win over the store Docker itself would ask.
      const stale = Buffer.from(`${USER}:stale-${SECRET}`).toString('base64');
      h.writeDockerConfig({ credsStore: 'pass', auths: { [reg.host]: { auth: stale } } });
      await removeImage(img.ref);
      const r = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
      expect(r.stderr).toBe('');
      const trace = await runCli(['trace', JSON.parse(r.stdout).traceId, '--json'], { env: h.env });
      expect(trace.stdout).toContain('docker-credential-pass');
      // With no entry in the store, auths is still read.
      h.writeDockerConfig({ credsStore: 'pass', auths: { [reg.host]: { auth: stale } } });
      const erased = await run('docker-credential-pass', ['erase'], { env: h.env, input: reg.host });
      expect(erased.code).toBe(0);
      await removeImage(img.ref);
      const fromAuths = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
      expect(fromAuths.code).not.toBe(0);
      expect(fromAuths.stderr).toMatch(/401|rejected|config\.json/i);
    } finally {
      await pass?.cleanup();
    }
  });

  it("setup's init-pass leaves an encrypted store that saving a credential uses", async () => {
    const h = home();
    const refused = await runCli(['login', reg.host, '-u', USER, '--password-stdin'], { env: h.env, input: SECRET });
    expect(refused.code).not.toBe(0);
    const init = await run('bash', [path.join(ROOT, 'scripts', 'init-pass.sh')], { env: h.env });
    try {
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toMatch(/pass store initialised/);
      const saved = await runCli(['login', reg.host, '-u', USER, '--password-stdin'], { env: h.env, input: SECRET });
      expect(saved.stderr).toBe('');
      expect(saved.stdout).toContain('docker-credential-pass');
      expectNoSecret(readTree(h.dir));
      await removeImage(img.ref);
      const r = await runCli(['launch', img.ref, '--json', '--no-daemon'], { env: h.env });
      expect(r.stderr).toBe('');
      // Run again (setup is re-runnable): the store and its key stay as they are.
      const again = await run('bash', [path.join(ROOT, 'scripts', 'init-pass.sh')], { env: h.env });
      expect(again.stdout).toMatch(/already initialised/);
    } finally {
      await run('gpgconf', ['--kill', 'gpg-agent'], { env: h.env });
    }
  });

  it('without an encrypted store, login refuses the plaintext file unless explicitly allowed', async () => {
    const h = home();
    h.env.PASSWORD_STORE_DIR = `${h.dir}/no-pass-here`;
    const refused = await runCli(['login', reg.host, '-u', USER, '--password-stdin'], { env: h.env, input: SECRET });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/plaintext file.*--allow-insecure-store/);
    expectNoSecret(readTree(h.home));
    const ok = await runCli(['login', reg.host, '-u', USER, '--password-stdin', '--allow-insecure-store'], {
      env: h.env,
      input: SECRET,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('plaintext file');
  });

  it('a half env pair adds no entry and warns naming the missing variable', async () => {
    const h = home();
    h.env.GHCR_USERNAME = 'someone';
    const r = await runCli(['registries', '--json'], { env: h.env });
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(r.stderr).toContain('GHCR_TOKEN is not');
  });

  it('INSECURE_REGISTRIES: never attaches a credential, and says so', async () => {
    const h = home();
    h.writeDockerConfig({ auths: { [reg.host]: { auth: b64(`${USER}:${SECRET}`) } } });
    h.env.INSECURE_REGISTRIES = reg.host;
    await removeImage(img.ref);
    const r = await runCli(['launch', img.ref, '--no-daemon'], { env: h.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('INSECURE_REGISTRIES');
    expect(r.stderr).toContain('401');
  });

  it('INSECURE_REGISTRIES lets the probe talk to an untrusted TLS registry', async () => {
    const rec: RecordingRegistry = await startRecordingRegistry({ trust: false });
    try {
      const h = home();
      const untrusted = await runCli(['login', rec.host, '-u', 'x', '--password-stdin', '--allow-insecure-store'], {
        env: h.env,
        input: 'y',
      });
      expect(untrusted.stderr).toMatch(/TLS certificate of .* is not trusted/);
      h.env.INSECURE_REGISTRIES = rec.host;
      const insecure = await runCli(['login', rec.host, '-u', 'x', '--password-stdin', '--allow-insecure-store'], {
        env: h.env,
        input: 'y',
      });
      expect(insecure.stderr).toMatch(/INSECURE_REGISTRIES/);
      expect(rec.authorizations()).toEqual([]);
    } finally {
      await rec.stop();
    }
  });

  it('a credential is never offered to a second registry', async () => {
    for (const scheme of ['basic', 'bearer'] as const) {
      const rec = await startRecordingRegistry({ scheme });
      try {
        const h = home();
        h.writeDockerConfig({ auths: { [reg.host]: { auth: b64(`${USER}:${SECRET}`) } } });
        h.env.GHCR_USERNAME = USER;
        h.env.GHCR_TOKEN = SECRET;
        const r = await runCli(['launch', `${rec.host}/acme/private-box:1`, '--no-daemon'], { env: h.env });
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`401 Unauthorized from ${rec.host}`);
        expect(rec.requests.length).toBeGreaterThan(0);
        for (const a of rec.authorizations())
          expectNoSecret(Buffer.from(a.replace(/^Basic /, ''), 'base64').toString() + a);
      } finally {
        await rec.stop();
      }
    }
  });
});
