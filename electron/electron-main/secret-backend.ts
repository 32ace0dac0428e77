/**
 * Saved registry secrets encrypted by the OS keychain through safeStorage,
 * kept in one file under BOXSCOPE_HOME. On Linux without a keyring
 * safeStorage falls back to `basic_text` (a fixed key): then the backend says
 * it is not secure and the core asks the user before saving.
 */
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import type { SecretBackend } from '../core/contracts.js';

type Entry = { enc: 'safeStorage' | 'plain'; username: string; secret: string };

export function safeStorageBackend(home: string): SecretBackend {
  const file = path.join(home, 'secrets.safestorage.json');
  const available = safeStorage.isEncryptionAvailable();
  const selected = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  const secure = available && selected !== 'basic_text' && selected !== 'unknown';

  // A Map, so that no key (not even `__proto__`) is confused with an object's own machinery.
  const read = (): Map<string, Entry> => {
    try {
      return new Map(Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Entry>));
    } catch {
      return new Map();
    }
  };
  const write = (all: Map<string, Entry>) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(all)), { mode: 0o600 });
    fs.renameSync(tmp, file);
  };
  const seal = (s: string) =>
    available ? safeStorage.encryptString(s).toString('base64') : Buffer.from(s).toString('base64');
  const open = (s: string, enc: Entry['enc']) =>
    enc === 'safeStorage' ? safeStorage.decryptString(Buffer.from(s, 'base64')) : Buffer.from(s, 'base64').toString();

  return {
    name: available ? `safeStorage (${selected})` : 'plaintext file',
    secure,
    async get(key) {
      const e = read().get(key);
      if (!e) return undefined;
      return { username: open(e.username, e.enc), secret: open(e.secret, e.enc) };
    },
    async set(key, username, secret) {
      const all = read();
      all.set(key, { enc: available ? 'safeStorage' : 'plain', username: seal(username), secret: seal(secret) });
      write(all);
    },
    async delete(key) {
      const all = read();
      if (all.delete(key)) write(all);
    },
  };
}
