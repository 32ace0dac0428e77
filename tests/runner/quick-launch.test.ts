/**
 * The quick launcher (docs/CLI-SPEED.md): with `boxscope serve` running for a data dir, `boxscope
 * launch` (bin/boxscope → dist/boxscope-quick, Go) hands the command to that core over run/cli.sock
 * instead of starting Node. Real serve process, real engine, real boxes; the callers are the
 * package's bin as a user runs it, a box, another user on the host, and a hostile client.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  buildImage,
  daemonDir,
  docker,
  pushImage,
  removeBoxesOfHome,
  ROOT,
  run,
  runCli,
  startRegistry,
  startServe,
  tempHome,
  waitFor,
  type RunningServe,
  type TempHome,
  type TestRegistry,
} from '../fixtures/index.js';
import { throttle, type ThrottledRegistry } from '../../e2e/fixtures/stack.js';

const IMAGE = 'boxscope-test/quick-box:1';
const WRAPPER = path.join(ROOT, 'bin', 'boxscope');
const QUICK = path.join(ROOT, 'dist', 'boxscope-quick');
let h: TempHome;
let serve: RunningServe;

/** `boxscope ARGS` through the package's bin, BOXSCOPE_DEBUG on so the launcher says which way it went. */
const boxscope = (args: string[], env: NodeJS.ProcessEnv = h.env, timeoutMs = 60_000) =>
  run(WRAPPER, args, { cwd: ROOT, env: { ...env, BOXSCOPE_DEBUG: '1' }, timeoutMs });

const THROUGH_CORE = /through the running core/;
const IN_PROCESS = /launching in this process/;

beforeAll(async () => {
  await buildCli();
  expect((await run('bash', [path.join(ROOT, 'scripts', 'build-quick.sh')])).code).toBe(0);
  await buildImage(IMAGE);
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
  serve = await startServe(h.env);
}, 300_000);

afterAll(async () => {
  await serve?.stop();
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

describe('with boxscope serve running', () => {
  it('a launch goes through it: the same answer, the same trace, no Node started for it', async () => {
    const r = await boxscope(['launch', IMAGE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(THROUGH_CORE);
    const out = JSON.parse(r.stdout) as { boxId: string; traceId: string; state: string; containerId: string };
    expect(out.state).toBe('running');
    const c = await docker.getContainer(out.containerId).inspect();
    expect(c.State.Running).toBe(true);
    // One trace: the launch's own root (box.create) down to the in-box daemon's boot.
    const t = await runCli(['trace', out.traceId, '--json'], { env: h.env });
    const names = (JSON.parse(t.stdout) as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['box.create', 'container.create', 'container.start', 'sandbox.boot']),
    );
    // The box is the running core's: its list has it at once.
    const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout) as Array<{ boxId: string }>;
    expect(boxes.map((b) => b.boxId)).toContain(out.boxId);
  });

  it('the command as typed: its words after IMAGE, ./relative mounts from the caller’s directory, errors and --help', async () => {
    const dir = fs.mkdtempSync(path.join(h.dir, 'cwd-'));
    fs.writeFileSync(path.join(dir, 'note.txt'), 'from the caller');
    const r = await run(WRAPPER, ['launch', IMAGE, '--no-daemon', '-v', './note.txt:/note.txt:ro', 'sleep', '30'], {
      cwd: dir,
      env: { ...h.env, BOXSCOPE_DEBUG: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(THROUGH_CORE);
    const boxId = r.stdout.split(/\s+/)[0]!;
    const [c] = await docker.listContainers({ filters: { label: [`boxlite.box.id=${boxId}`] } });
    const info = await docker.getContainer(c!.Id).inspect();
    expect(info.Config.Cmd).toEqual(['sleep', '30']);
    expect(info.Mounts.find((m) => m.Destination === '/note.txt')).toMatchObject({
      Source: path.join(dir, 'note.txt'),
      RW: false,
    });

    const missing = await boxscope(['launch', IMAGE, '--no-daemon', '-v', './nope:/x']);
    expect(missing.stderr).toMatch(THROUGH_CORE);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Host path ${path.join(ROOT, 'nope')} does not exist`);

    const help = await boxscope(['launch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: boxscope launch');
    const bad = await boxscope(['launch', IMAGE, '--pull', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pull must be one of');
  });

  it('a caller whose launch settings differ launches in its own process, and no secret is echoed', async () => {
    const token = `ghp_quick${Date.now()}`;
    const r = await boxscope(['launch', IMAGE, '--no-daemon', '--json'], {
      ...h.env,
      GHCR_USERNAME: 'someone',
      GHCR_TOKEN: token,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(IN_PROCESS);
    expect(r.stderr).toContain('GHCR_TOKEN');
    expect(r.stdout + r.stderr).not.toContain(token);
    // Another engine is another engine: never launched on the running core's.
    const other = await boxscope(['launch', IMAGE, '--no-daemon'], {
      ...h.env,
      DOCKER_HOST: `unix://${path.join(h.dir, 'no-engine.sock')}`,
    });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(IN_PROCESS);
    expect(other.stderr).toContain('no-engine.sock');
  });

  it('BOXSCOPE_QUICK=0 and commands other than launch run in Node', async () => {
    const r = await boxscope(['launch', IMAGE, '--no-daemon'], { ...h.env, BOXSCOPE_QUICK: '0' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(THROUGH_CORE);
    const v = await boxscope(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('who can reach the running core', () => {
  it('a box cannot find the socket anywhere in its file system', async () => {
    const r = await boxscope(['launch', IMAGE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { containerId } = JSON.parse(r.stdout) as { containerId: string };
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ['sh', '-c', 'find / -xdev -name "*.sock" 2>/dev/null; find /.boxlite 2>/dev/null; echo END'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString('latin1')));
    await new Promise((r) => stream.on('end', r));
    expect(out).toContain('END');
    expect(out).toContain('otlp.sock'); // its own socket, mounted for it alone
    expect(out).not.toContain('cli.sock');
  });

  it('another user on this machine cannot connect to it (run/ is 0700, the socket 0600)', async () => {
    const sock = path.join(h.home, 'run', 'cli.sock');
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(h.home, 'run')).mode & 0o777).toBe(0o700);
    if (process.getuid?.() !== 0) return; // only root can play another uid here; CI runs as root
    const probe = `require('net').connect(${JSON.stringify(sock)}).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const r = await new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['-e', probe], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      c.stdout.on('data', (d) => (o += d));
      c.on('exit', () => resolve(o.trim()));
    });
    expect(r).toBe('EACCES');
  });

  it('a hostile client gets a refusal, never a launch: bad JSON, another command, a huge request', async () => {
    const sock = path.join(h.home, 'run', 'cli.sock');
    const ask = (payload: string | Buffer) =>
      new Promise<string>((resolve) => {
        const c = net.connect(sock);
        let o = '';
        c.on('data', (d) => (o += d));
        c.on('close', () => resolve(o));
        c.on('error', () => resolve(o));
        c.end(payload);
      });
    const before = (await docker.listContainers({ all: true })).length;
    for (const payload of [
      '{not json\n',
      JSON.stringify({ v: 1, argv: ['rm', '--all'], cwd: '/', env: {}, tty: false }) + '\n',
      JSON.stringify({ v: 1, argv: ['launch', IMAGE], cwd: 'relative', env: {}, tty: false }) + '\n',
      JSON.stringify({ v: 2, argv: ['launch', IMAGE], cwd: '/', env: {}, tty: false }) + '\n',
      Buffer.alloc(2 << 20, 'a'),
    ]) {
      const answer = await ask(payload);
      expect(answer).toMatch(/^\{"fallback":"[^"]+"\}\n$/);
    }
    // An empty environment is not the core's: declined too (a request must match, not merely parse).
    const empty = await ask(JSON.stringify({ v: 1, argv: ['launch', IMAGE], cwd: '/', env: {}, tty: false }) + '\n');
    expect(empty).toContain('differ');
    expect((await docker.listContainers({ all: true })).length).toBe(before);
  });
});

describe('when the running core cannot finish', () => {
  let registry: TestRegistry | undefined;
  let slow: ThrottledRegistry | undefined;
  afterAll(async () => {
    await slow?.stop();
    await registry?.stop();
  });

  it('Ctrl-C cancels the pull in the core: one line, a non-zero exit, no box left running', async () => {
    const user = { username: 'quick', password: `pw-${Date.now()}` };
    registry = await startRegistry({ users: [user] });
    const pushed = await pushImage(registry, 'acme/quick-large:1', { layers: 4, layerBytes: 4 * 1024 * 1024 });
    slow = await throttle(registry, 512 * 1024);
    const image = pushed.ref.replace(registry.host, slow.host);
    const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    // A second serve, whose settings (the registry's CA, a docker login) the caller shares.
    const h2 = tempHome();
    h2.writeDockerConfig({ auths: { [slow.host]: { auth } } });
    h2.env.NODE_EXTRA_CA_CERTS = registry.caCert;
    const serve2 = await startServe(h2.env);
    try {
      const name = `quick-cancel-${Date.now()}`;
      const child = spawn(WRAPPER, ['launch', image, '--name', name, '--no-daemon'], {
        cwd: ROOT,
        env: { ...h2.env, BOXSCOPE_DEBUG: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      const code = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      await waitFor(async () => (THROUGH_CORE.test(err) ? true : undefined), 'the launch to reach the core');
      // 16 MiB at 512 KiB/s: the pull runs for half a minute; a few seconds in, it is well under way.
      await new Promise((r) => setTimeout(r, 4000));
      child.kill('SIGINT');
      expect(await code).not.toBe(0);
      const lines = err.split('\n').filter((l) => l && !THROUGH_CORE.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/cancel/i);
      expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toHaveLength(0);
    } finally {
      await serve2.stop();
      await removeBoxesOfHome(h2.home);
      h2.cleanup();
    }
  }, 180_000);

  it('a core killed mid-launch: the launcher says so in one line and exits non-zero', async () => {
    const h3 = tempHome();
    h3.env.BOXSCOPE_DAEMON_DIR = h.env.BOXSCOPE_DAEMON_DIR;
    // Test-only: the launch waits after create, so the kill lands while the core holds it.
    h3.env.BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS = '60000';
    const serve3 = await startServe(h3.env);
    try {
      const name = `quick-killed-${Date.now()}`;
      const child = spawn(WRAPPER, ['launch', IMAGE, '--name', name, '--no-daemon'], {
        cwd: ROOT,
        env: { ...h3.env, BOXSCOPE_DEBUG: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      const code = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      await waitFor(async () => {
        const cs = await docker.listContainers({ all: true, filters: { name: [name] } });
        return cs.find((x) => x.State === 'created');
      }, 'created container');
      await serve3.stop('SIGKILL');
      expect(await code).toBe(1);
      const lines = err.split('\n').filter((l) => l && !THROUGH_CORE.test(l));
      expect(lines).toEqual([expect.stringContaining('went away during the launch')]);
      // The next core puts it right (issue 10's reconcile): failed, "interrupted".
      const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h3.env })).stdout) as Array<{
        name: string;
        state: string;
        reason?: string;
      }>;
      expect(boxes.find((b) => b.name === name)).toMatchObject({ state: 'failed' });
    } finally {
      await serve3.stop();
      await removeBoxesOfHome(h3.home);
      h3.cleanup();
    }
  }, 120_000);

  it('a stale socket file left by a killed core is replaced by the next serve, and the quick binary exists', async () => {
    expect(fs.existsSync(QUICK)).toBe(true);
    const h4 = tempHome();
    fs.mkdirSync(path.join(h4.home, 'run'), { recursive: true, mode: 0o700 });
    // A socket file nobody listens on any more: what a kill -9 of a listening process leaves.
    const sock = path.join(h4.home, 'run', 'cli.sock');
    const holder = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise((r) => holder.stdout!.once('data', r));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(fs.statSync(sock).isSocket()).toBe(true);
    const serve4 = await startServe(h4.env);
    try {
      const r = await run(WRAPPER, ['launch', IMAGE, '--no-daemon'], {
        cwd: ROOT,
        env: { ...h4.env, BOXSCOPE_DEBUG: '1' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(THROUGH_CORE);
    } finally {
      await serve4.stop();
      await removeBoxesOfHome(h4.home);
      h4.cleanup();
    }
  }, 120_000);
});
