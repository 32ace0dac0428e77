import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const { state } = await import('../test/fake-electron.js');
const { safeStorageBackend } = await import('./secret-backend.js');

const homes: string[] = [];
function home() {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-ss-'));
  homes.push(h);
  return h;
}
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
  state.encryptionAvailable = true;
  state.storageBackend = 'gnome_libsecret';
});

const SECRET = 'ghp_s3cr3t-token-value';

describe('safeStorage secret backend', () => {
  it('round-trips a secret, keeps only ciphertext on disk, and deletes', async () => {
    const h = home();
    const b = safeStorageBackend(h);
    if (process.platform === 'linux') expect(b.name).toBe('safeStorage (gnome_libsecret)');
    expect(b.secure).toBe(true);
    await b.set('ghcr.io/acme/', 'octocat', SECRET);
    await expect(b.get('ghcr.io/acme/')).resolves.toEqual({ username: 'octocat', secret: SECRET });
    const files = fs.readdirSync(h);
    const onDisk = files.map((f) => fs.readFileSync(path.join(h, f), 'utf8')).join('\n');
    expect(onDisk).not.toContain(SECRET);
    expect(onDisk).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(fs.statSync(path.join(h, files[0]!)).mode & 0o077).toBe(0);
    await b.delete('ghcr.io/acme/');
    await expect(b.get('ghcr.io/acme/')).resolves.toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('is not secure on the basic_text fallback', () => {
    state.storageBackend = 'basic_text';
    const b = safeStorageBackend(home());
    expect(b.secure).toBe(false);
    expect(b.name).toContain('basic_text');
  });

  it('is not secure, but still works, when encryption is unavailable', async () => {
    state.encryptionAvailable = false;
    const b = safeStorageBackend(home());
    expect(b.secure).toBe(false);
    await b.set('localhost:5000', 'u', SECRET);
    await expect(b.get('localhost:5000')).resolves.toEqual({ username: 'u', secret: SECRET });
  });

  it('keeps any key as its own entry, `__proto__` included', async () => {
    const b = safeStorageBackend(home());
    await b.set('__proto__', 'odd', SECRET);
    await b.set('ghcr.io', 'me', 'other');
    expect(await b.get('__proto__')).toEqual({ username: 'odd', secret: SECRET });
    await b.delete('__proto__');
    expect(await b.get('__proto__')).toBeUndefined();
    expect(await b.get('ghcr.io')).toEqual({ username: 'me', secret: 'other' });
  });
});
