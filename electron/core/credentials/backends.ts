/**
 * Where app-saved secrets live in Node hosts: docker-credential-pass when
 * `pass` is initialised (gpg-encrypted at rest), else a 0600 file that is
 * only used with the user's explicit consent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SecretBackend } from '../contracts.js';
import { helperErase, helperGet, helperStore } from './helper.js';

/** Helper entries of this app are namespaced so they never collide with Docker's own. */
const serverURL = (key: string) => `boxscope://${key}`;

export function passHelperBackend(env: NodeJS.ProcessEnv): SecretBackend {
  return {
    name: 'docker-credential-pass',
    secure: true,
    get: (key) => helperGet('pass', serverURL(key), env),
    set: (key, username, secret) => helperStore('pass', serverURL(key), { username, secret }, env),
    delete: (key) => helperErase('pass', serverURL(key), env),
  };
}

export function plaintextFileBackend(file: string): SecretBackend {
  const read = (): Record<string, { username: string; secret: string }> => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return {};
    }
  };
  const write = (data: Record<string, { username: string; secret: string }>) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  };
  return {
    name: 'plaintext file',
    secure: false,
    get: async (key) => read()[key],
    set: async (key, username, secret) => write({ ...read(), [key]: { username, secret } }),
    delete: async (key) => {
      const d = read();
      delete d[key];
      write(d);
    },
  };
}

function onPath(bin: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, bin)));
}

/** `pass` counts as initialised when its store has a .gpg-id (what `pass init` writes). */
export function passInitialised(env: NodeJS.ProcessEnv): boolean {
  const dir = env.PASSWORD_STORE_DIR || path.join(env.HOME || os.homedir(), '.password-store');
  return fs.existsSync(path.join(dir, '.gpg-id')) && onPath('docker-credential-pass', env) && onPath('pass', env);
}

export function defaultBackend(env: NodeJS.ProcessEnv, home: string, given?: SecretBackend): SecretBackend {
  if (given) return given;
  if (passInitialised(env)) return passHelperBackend(env);
  return plaintextFileBackend(path.join(home, 'secrets.json'));
}

/** The backend that holds an entry saved earlier (by its recorded name). */
export function backendNamed(
  name: string,
  env: NodeJS.ProcessEnv,
  home: string,
  given?: SecretBackend,
): SecretBackend | undefined {
  if (given && given.name === name) return given;
  if (name === 'docker-credential-pass') return passHelperBackend(env);
  if (name === 'plaintext file') return plaintextFileBackend(path.join(home, 'secrets.json'));
  return undefined;
}
