/**
 * A fresh clone after the README's steps: `npm ci` runs the root package's
 * `prepare` (scripts/prepare.mjs), then every command the README shows works —
 * `boxscope --version`, `boxscope serve` serving the built renderer, and
 * `boxscope launch` with the in-box daemon (its sandbox.boot span).
 *
 * A full `npm ci` here spends minutes compiling better-sqlite3 from source, so
 * the clone gets this tree's node_modules (hard links) and runs `npm run
 * prepare`, the step `npm ci` runs after installing (checked by hand with
 * `npm ci --offline` as root; see the report in the commit).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  buildImage,
  removeBoxesOfHome,
  removeImage,
  run,
  tempHome,
  waitFor,
  type TempHome,
} from '../fixtures/index.js';

const IMAGE = `boxscope-test/first-run:${process.pid}`;
let clone: string;
let h: TempHome;

/** PATH without Go's directory: a machine that never installed Go. */
function pathWithoutGo(): string {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((d) => d && !fs.existsSync(path.join(d, 'go')))
    .join(':');
}

async function freshClone(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-clone-'));
  const head = (await run('git', ['-C', ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
  const c = await run('git', ['clone', '-q', '--no-checkout', ROOT, dir]);
  expect(c.code, c.stderr).toBe(0);
  expect((await run('git', ['-C', dir, 'checkout', '-q', head])).code).toBe(0);
  expect((await run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')])).code).toBe(0);
  return dir;
}

/** The package's bin as npm links it (bin/boxscope: a launch through the quick launcher when built, else Node). */
const boxscope = (args: string[], env = h.env) =>
  run(path.join(clone, 'bin', 'boxscope'), args, { cwd: clone, env, timeoutMs: 90_000 });

beforeAll(async () => {
  h = tempHome();
  clone = await freshClone();
  await buildImage(IMAGE);
}, 300_000);

afterAll(async () => {
  await removeBoxesOfHome(h.home);
  await removeImage(IMAGE);
  h.cleanup();
  fs.rmSync(clone, { recursive: true, force: true });
});

describe('a fresh clone after npm ci', () => {
  it('without Go: one clear line, everything else built, the step still succeeds', async () => {
    const r = await run('npm', ['run', 'prepare'], {
      cwd: clone,
      env: { ...h.env, PATH: pathWithoutGo() },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const goLines = (r.stdout + r.stderr).split('\n').filter((l) => /\bGo\b/.test(l));
    expect(goLines).toHaveLength(1);
    expect(goLines[0]).toMatch(/Go is not installed.*npm run build:daemon/);
    for (const f of ['renderer/dist/index.html', 'dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/cli.mjs'])
      expect(fs.existsSync(path.join(clone, f)), f).toBe(true);
    expect(fs.existsSync(path.join(clone, 'daemon', 'bin'))).toBe(false);
    expect(fs.existsSync(path.join(clone, 'dist', 'boxscope-quick'))).toBe(false);
    // Without the quick launcher every command, launch too, runs in Node.
    const r2 = await boxscope(['launch', '--help'], { ...h.env, PATH: pathWithoutGo() });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain('Usage: boxscope launch');
  }, 300_000);

  it('with Go: builds the daemon for the host architecture only', async () => {
    const r = await run('npm', ['run', 'prepare'], { cwd: clone, env: h.env, timeoutMs: 280_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
    const bins = fs.readdirSync(path.join(clone, 'daemon', 'bin')).filter((f) => !f.startsWith('.'));
    expect(bins).toEqual([`boxlite-daemon-linux-${arch}`]);
    expect(fs.statSync(path.join(clone, 'dist', 'boxscope-quick')).mode & 0o111).not.toBe(0);
  }, 300_000);

  it('boxscope --version prints the package version', async () => {
    const r = await boxscope(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('boxscope serve serves the app, not "not built"', async () => {
    const child = spawn(process.execPath, [path.join(clone, 'bin', 'boxscope.mjs'), 'serve', '--otlp-port', '0'], {
      cwd: clone,
      env: h.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      await waitFor(async () => /Boxscope UI:\s+(\S+)/.exec(out) ?? undefined, 'the UI URL', 30_000);
      expect(err).not.toMatch(/not built/);
      const url = /Boxscope UI:\s+(\S+)/.exec(out)![1];
      const res = await fetch(url);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain('<div id="root"></div>');
      expect(html).not.toMatch(/not built/);
      // While it runs, a launch typed in another terminal goes through its core (the quick launcher).
      const r = await boxscope(['launch', IMAGE, '--pull', 'never', '--json'], { ...h.env, BOXSCOPE_DEBUG: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/launching through the running core/);
      expect(JSON.parse(r.stdout)).toMatchObject({ state: 'running' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('boxscope launch starts the box with the in-box daemon (sandbox.boot)', async () => {
    const r = await boxscope(['launch', IMAGE, '--pull', 'never', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/not built/);
    const { traceId } = JSON.parse(r.stdout) as { traceId: string };
    let names: string[] = [];
    await waitFor(
      async () => {
        const t = await boxscope(['trace', traceId, '--json']);
        names = t.code === 0 ? (JSON.parse(t.stdout) as { name: string }[]).map((s) => s.name) : [];
        return names.includes('sandbox.boot') || undefined;
      },
      'sandbox.boot',
      20_000,
    ).catch(() => undefined);
    expect(names).toContain('sandbox.boot');
  });
});
