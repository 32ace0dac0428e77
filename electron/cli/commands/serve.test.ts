/** `boxscope serve` as a user runs it: prints its URL and OTLP endpoint, guards with the token, refuses remote hosts, stops on SIGTERM. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-serve-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function serve(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'electron', 'cli', 'main.ts'), 'serve', ...args],
    {
      cwd: root,
      env: { ...process.env, BOXSCOPE_HOME: home, DOCKER_HOST: `unix://${home}/none.sock` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('boxscope serve', () => {
  it('prints the tokened UI URL and the OTLP endpoint, answers only the token holder, exits 0 on SIGTERM', async () => {
    const s = serve(['--port', '0', '--otlp-port', '0']);
    try {
      for (let i = 0; i < 200 && !/OTLP receiver:/.test(s.out()); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /Boxscope UI:\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(s.out())?.[1];
      expect(url, s.out() + s.err()).toBeDefined();
      expect(s.out()).toMatch(/OTLP receiver:\s+http:\/\/127\.0\.0\.1:\d+/);
      const bare = new URL(url!);
      bare.search = '';
      expect((await fetch(bare)).status).toBe(403);
      expect([200, 503]).toContain((await fetch(url!)).status);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('refuses a non-loopback address without --allow-remote, in one line', async () => {
    const s = serve(['--host', '0.0.0.0']);
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toBe(
      'boxscope: Refusing to listen on 0.0.0.0: use a loopback address or pass --allow-remote',
    );
  }, 30_000);

  it('rejects a port that is not one', async () => {
    const s = serve(['--port', 'eighty']);
    expect(await s.exited).toBe(2);
    expect(s.err()).toContain('--port must be a port number');
  }, 30_000);
});
