/**
 * ssh:// engines, as `docker -H ssh://user@host` reaches them: an SSH
 * session to the host that runs `docker system dial-stdio` (docker-modem's
 * ssh agent over ssh2). What the ssh command would check is checked here:
 * the host key must be in ~/.ssh/known_hosts (plain or hashed names,
 * `[host]:port` for other ports; @revoked keys refused), and keys come from
 * the ssh-agent (SSH_AUTH_SOCK) or the user's unencrypted default key files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SshTarget {
  host: string;
  port: number;
  username?: string;
}

/** Why the last connection to host:port was refused before any login, for the error message. */
const refusals = new Map<string, string>();
const keyOf = (t: SshTarget) => `${t.host}:${t.port}`;

export function sshRefusal(t: SshTarget): string | undefined {
  return refusals.get(keyOf(t));
}

function sshDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.HOME || os.homedir(), '.ssh');
}

function nameMatches(pattern: string, names: string[]): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return names.some(
      (n) => crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(n).digest('base64') === hash,
    );
  }
  return names.includes(pattern.toLowerCase());
}

/** The host's key blobs known_hosts lists (and those it revokes) for host:port. */
export function knownKeys(t: SshTarget, env: NodeJS.ProcessEnv): { keys: string[]; revoked: string[] } {
  const names = t.port === 22 ? [t.host.toLowerCase()] : [`[${t.host.toLowerCase()}]:${t.port}`];
  const keys: string[] = [];
  const revoked: string[] = [];
  let text: string;
  try {
    text = fs.readFileSync(path.join(sshDir(env), 'known_hosts'), 'utf8');
  } catch {
    return { keys, revoked };
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!f[0] || f[0].startsWith('#')) continue;
    const marker = f[0].startsWith('@') ? f.shift() : undefined;
    if (marker === '@cert-authority') continue;
    const [hosts, , blob] = f;
    if (!hosts || !blob) continue;
    if (!hosts.split(',').some((p) => nameMatches(p, names))) continue;
    (marker === '@revoked' ? revoked : keys).push(blob);
  }
  return { keys, revoked };
}

/** ssh2 connect options: the agent or a default key, and host-key checking against known_hosts. */
export function sshOptions(t: SshTarget, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const opts: Record<string, unknown> = { readyTimeout: 15_000 };
  if (env.SSH_AUTH_SOCK) opts.agent = env.SSH_AUTH_SOCK;
  else {
    for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      try {
        opts.privateKey = fs.readFileSync(path.join(sshDir(env), f));
        break;
      } catch {
        // Not there: try the next one.
      }
    }
  }
  opts.hostVerifier = (key: Buffer) => {
    const blob = key.toString('base64');
    const { keys, revoked } = knownKeys(t, env);
    const where = path.join(sshDir(env), 'known_hosts');
    let why: string | undefined;
    if (revoked.includes(blob)) why = `its host key is marked @revoked in ${where}`;
    else if (!keys.length)
      why = `its host key is not in ${where}: connect once with ssh ${t.username ? `${t.username}@` : ''}${t.host}${t.port === 22 ? '' : ` -p ${t.port}`} to check and accept it`;
    else if (!keys.includes(blob))
      why = `its host key does not match the one in ${where} (it changed, or someone is in between)`;
    if (why) refusals.set(keyOf(t), why);
    else refusals.delete(keyOf(t));
    return !why;
  };
  return opts;
}
