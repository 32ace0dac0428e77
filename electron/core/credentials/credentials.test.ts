import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecretBackend } from '../contracts.js';
import { parseReference } from '../registry/reference.js';
import { authconfigFor, Credentials } from './index.js';

let dir: string;
let env: NodeJS.ProcessEnv;

/** A SecretBackend kept in memory: the seam the Electron host fills with safeStorage. */
function memoryBackend(secure = true): SecretBackend & { data: Map<string, { username: string; secret: string }> } {
  const data = new Map<string, { username: string; secret: string }>();
  return {
    name: 'test keychain',
    secure,
    data,
    get: async (k) => data.get(k),
    set: async (k, username, secret) => void data.set(k, { username, secret }),
    delete: async (k) => void data.delete(k),
  };
}

function creds(backend?: SecretBackend, extraEnv: NodeJS.ProcessEnv = {}) {
  return new Credentials({
    home: dir,
    metadataFile: path.join(dir, 'registries.json'),
    env: { ...env, ...extraEnv },
    secretBackend: backend,
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-creds-'));
  fs.mkdirSync(path.join(dir, 'docker'));
  env = { PATH: '', HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker') };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeDockerConfig = (cfg: unknown) =>
  fs.writeFileSync(path.join(dir, 'docker', 'config.json'), JSON.stringify(cfg));

describe('resolution order', () => {
  it('app-saved (longest prefix) → env pair → docker config', async () => {
    const b = memoryBackend();
    writeDockerConfig({ auths: { 'https://ghcr.io': { auth: Buffer.from('dock:er-secret').toString('base64') } } });
    const ref = parseReference('ghcr.io/acme/team/app:1');
    expect((await creds(b).resolve(ref)).credential).toMatchObject({
      source: 'docker-config',
      username: 'dock',
      secret: 'er-secret',
    });

    const withEnv = creds(b, { GHCR_USERNAME: 'envu', GHCR_TOKEN: 'env-secret' });
    expect((await withEnv.resolve(ref)).credential).toMatchObject({
      source: 'env',
      sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
    });

    await withEnv.save({ key: 'ghcr.io/acme/', username: 'broad', secret: 's1' });
    await withEnv.save({ key: 'ghcr.io/acme/team', username: 'narrow', secret: 's2' });
    expect((await withEnv.resolve(ref)).credential).toMatchObject({ source: 'app', username: 'narrow' });
    expect((await withEnv.resolve(parseReference('ghcr.io/acme/other:1'))).credential).toMatchObject({
      username: 'broad',
    });
    expect((await withEnv.resolve(parseReference('ghcr.io/elsewhere/x:1'))).credential).toMatchObject({
      source: 'env',
    });
  });

  it('never gives a credential to an INSECURE_REGISTRIES host', async () => {
    writeDockerConfig({ auths: { 'localhost:5000': { username: 'u', password: 'p' } } });
    const r = await creds(undefined, { INSECURE_REGISTRIES: 'localhost:5000' }).resolve(
      parseReference('localhost:5000/a/b:1'),
    );
    expect(r.insecure).toBe(true);
    expect(r.credential).toBeUndefined();
  });

  it('builds an authconfig only for the credential’s own registry', async () => {
    writeDockerConfig({ auths: { 'localhost:5000': { username: 'u', password: 'p' } } });
    const c = (await creds().resolve(parseReference('localhost:5000/a/b:1'))).credential;
    expect(authconfigFor(c, parseReference('localhost:5000/a/b:1'))).toEqual({
      username: 'u',
      password: 'p',
      serveraddress: 'localhost:5000',
    });
    expect(authconfigFor(c, parseReference('localhost:5001/a/b:1'))).toBeUndefined();
  });

  it('reads identity tokens and docker.io aliases from config.json', async () => {
    writeDockerConfig({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'refresh-me' } } });
    const ref = parseReference('acme/app');
    const c = (await creds().resolve(ref)).credential;
    expect(c).toMatchObject({ registry: 'docker.io', identityToken: 'refresh-me' });
    expect(authconfigFor(c, ref)).toEqual({
      identitytoken: 'refresh-me',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });
});

describe('saving', () => {
  it('keeps only non-secret metadata in the data dir; the backend holds the secret', async () => {
    const b = memoryBackend();
    const info = await creds(b).save({ key: 'GHCR.io/Acme', username: 'me', secret: 'top-secret-value' });
    expect(info).toEqual({
      key: 'ghcr.io/acme/',
      registry: 'ghcr.io',
      source: 'app',
      sourceDetail: 'saved in Boxscope (test keychain)',
      username: 'me',
      readOnly: false,
    });
    const meta = fs.readFileSync(path.join(dir, 'registries.json'), 'utf8');
    expect(meta).toContain('ghcr.io/acme/');
    expect(meta).not.toContain('top-secret-value');
    expect(JSON.stringify(await creds(b).list())).not.toContain('top-secret-value');
    await creds(b).remove('ghcr.io/acme/');
    expect(b.data.size).toBe(0);
    expect(await creds(b).list()).toEqual([]);
  });

  it('refuses a plaintext store unless accepted, and says so', async () => {
    const c = creds();
    expect(c.storeStatus()).toMatchObject({ secure: false, backend: 'plaintext file' });
    await expect(c.save({ key: 'ghcr.io', username: 'u', secret: 's' })).rejects.toMatchObject({
      code: 'INSECURE_STORE',
    });
    // The core's words serve the GUI too: no CLI flag, and no "Not saved:" the GUI's own prefix would double.
    const err = await c.save({ key: 'ghcr.io', username: 'u', secret: 's' }).catch((e: Error) => e);
    expect((err as Error).message).not.toMatch(/--|not saved/i);
    expect((err as Error).message).toMatch(/plaintext file.*pass/);
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
    await c.save({ key: 'ghcr.io', username: 'u', secret: 's', acceptInsecureStore: true });
    expect((await c.resolve(parseReference('ghcr.io/a/b'))).credential).toMatchObject({ source: 'app', secret: 's' });
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o077).toBe(0);
  });

  it('re-saving a key in another store removes the old copy', async () => {
    await creds().save({ key: 'ghcr.io', username: 'u', secret: 'was-plaintext', acceptInsecureStore: true });
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toContain('was-plaintext');
    const b = memoryBackend();
    await creds(b).save({ key: 'ghcr.io', username: 'u', secret: 'now-encrypted' });
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('was-plaintext');
    expect((await creds(b).resolve(parseReference('ghcr.io/a/b'))).credential).toMatchObject({
      secret: 'now-encrypted',
    });
  });

  it('a host-supplied backend (safeStorage) is used as is', async () => {
    const b = memoryBackend(true);
    expect(creds(b).storeStatus()).toEqual({ backend: 'test keychain', secure: true });
  });
});

describe('the credential a registry check uses', () => {
  it('is the key’s own or a broader one, never a narrower prefix’s', async () => {
    const b = memoryBackend();
    await creds(b).save({ key: 'ghcr.io/x/', username: 'narrow', secret: 'only-for-x' });
    await creds(b).save({ key: 'ghcr.io/acme/x/', username: 'narrow2', secret: 'only-for-acme-x' });
    expect(await creds(b).forKey('ghcr.io')).toBeUndefined();
    expect(await creds(b).forKey('ghcr.io/acme/')).toBeUndefined();
    await creds(b).save({ key: 'ghcr.io', username: 'broad', secret: 'host-wide' });
    expect(await creds(b).forKey('ghcr.io/acme/')).toMatchObject({ username: 'broad' });
    expect(await creds(b).forKey('ghcr.io/acme/x')).toMatchObject({ username: 'narrow2' });
  });
});

describe('a secret kept by another host', () => {
  it('falls through to the next source with a warning when its backend is not available here', async () => {
    await creds(memoryBackend()).save({ key: 'ghcr.io', username: 'app', secret: 'in-keychain' });
    const r = await creds(undefined, { GHCR_USERNAME: 'envu', GHCR_TOKEN: 'env-secret' }).resolve(
      parseReference('ghcr.io/a/b'),
    );
    expect(r.credential).toMatchObject({ source: 'env' });
    expect(r.warnings.join(' ')).toContain('test keychain');
  });
});
