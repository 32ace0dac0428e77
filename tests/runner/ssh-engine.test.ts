/**
 * An engine over ssh://, as `docker -H ssh://user@host` reaches one: a real
 * sshd on loopback whose user can run the docker CLI, keys from a real
 * ssh-agent, and the host key checked against known_hosts — a box launched
 * through it, and each refusal (unknown host key, changed key, no usable
 * key) said in one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { must } from '../fixtures/util.js';

const IMAGE = 'boxscope-test/ssh-engine:1';
const SSHD = '/usr/sbin/sshd';
const user = os.userInfo().username;
let dir: string;
let port: number;
let sshd: ChildProcess;
let agent: ChildProcess;
let agentSock: string;
let hostPub: string;
const homes: TempHome[] = [];

const listening = (p: number, file?: string) =>
  waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const s = file ? net.connect(file) : net.connect(p, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(undefined));
      }),
    file ? 'ssh-agent' : 'sshd',
  );

beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-ssh-'));
  const p = (f: string) => path.join(dir, f);
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('host_key')]);
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('id_user')]);
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('id_stranger')]);
  fs.copyFileSync(p('id_user.pub'), p('authorized_keys'));
  hostPub = fs.readFileSync(p('host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  port = await freePort();
  fs.mkdirSync('/run/sshd', { recursive: true });
  fs.writeFileSync(
    p('sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${p('host_key')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      `PidFile ${p('sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  sshd = spawn(SSHD, ['-D', '-e', '-f', p('sshd_config')], { stdio: 'ignore' });
  await listening(port);
  agentSock = p('agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  await listening(0, agentSock);
  await must('ssh-add', ['-q', p('id_user')], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
}, 120_000);

afterAll(async () => {
  for (const h of homes) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  sshd?.kill();
  agent?.kill();
  await removeImage(IMAGE);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A home whose ~/.ssh/known_hosts holds `known` for the sshd, and an env pointing DOCKER_HOST at it. */
function home(known: string | null, sock: string | null = agentSock) {
  const h = tempHome();
  homes.push(h);
  const ssh = path.join(h.env.HOME!, '.ssh');
  fs.mkdirSync(ssh, { recursive: true, mode: 0o700 });
  if (known !== null) fs.writeFileSync(path.join(ssh, 'known_hosts'), `${known}\n`);
  const env: NodeJS.ProcessEnv = { ...h.env, DOCKER_HOST: `ssh://${user}@127.0.0.1:${port}` };
  if (sock) env.SSH_AUTH_SOCK = sock;
  else delete env.SSH_AUTH_SOCK;
  return { ...h, env };
}

describe('an engine over ssh://', () => {
  it('launches a box through sshd and docker system dial-stdio, the host key checked', async () => {
    const h = home(`[127.0.0.1]:${port} ${hostPub}`);
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json'], { env: h.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).state).toBe('running');
  }, 60_000);

  it('a hashed known_hosts entry (ssh-keygen -H) is read too', async () => {
    const h = home(`[127.0.0.1]:${port} ${hostPub}`);
    const kh = path.join(h.env.HOME!, '.ssh', 'known_hosts');
    await must('ssh-keygen', ['-q', '-H', '-f', kh]);
    expect(fs.readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
    expect((await runCli(['boxes'], { env: h.env })).code).toBe(0);
  }, 60_000);

  it('refuses a host it does not know, and a host whose key changed', async () => {
    const unknown = await runCli(['boxes'], { env: home(null).env });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain(`ssh://${user}@127.0.0.1:${port} (DOCKER_HOST): its host key is not in`);
    const other = fs.readFileSync(path.join(dir, 'id_stranger.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    const changed = await runCli(['boxes'], { env: home(`[127.0.0.1]:${port} ${other}`).env });
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('its host key does not match the one in');
  }, 60_000);

  it('a login the server refuses says which key to load', async () => {
    const r = await runCli(['boxes'], { env: home(`[127.0.0.1]:${port} ${hostPub}`, null).env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('the login was refused');
  }, 60_000);
});
