/**
 * `npm start` where Electron cannot run: missing binary, or one that dies at
 * once. Either way one line says so and browser mode starts with its URL.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), '--port', '0', '--otlp-port', '0'], {
    cwd: root,
    env: { ...process.env, BOXSCOPE_HOME: path.join(tmp, 'home'), DOCKER_HOST: `unix://${tmp}/none.sock`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', r));
  try {
    for (let i = 0; i < 600 && !/OTLP receiver:/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    return out;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe.runIf(fs.existsSync(path.join(root, 'renderer', 'dist', 'index.html')))(
  'npm start without a working Electron',
  () => {
    it('says the binary is missing and serves browser mode', async () => {
      const out = await start({ ELECTRON_OVERRIDE_DIST_PATH: path.join(tmp, 'no-electron-here') });
      const lines = out.split('\n');
      const notice = lines.findIndex((l) => l.startsWith('Electron cannot run here'));
      expect(notice, out).toBeGreaterThanOrEqual(0);
      expect(lines[notice]).toMatch(/missing.*starting browser mode instead\.$/);
      expect(out).toMatch(/Boxscope UI:\s+http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/);
    }, 60_000);

    it('falls back when the binary exists but dies at once, quoting why', async () => {
      const dist = path.join(tmp, 'broken-electron');
      fs.mkdirSync(dist, { recursive: true });
      const bin = path.join(dist, 'electron');
      fs.writeFileSync(bin, "#!/bin/sh\necho 'Missing X server or $DISPLAY' >&2\nexit 1\n", { mode: 0o755 });
      const out = await start({ ELECTRON_OVERRIDE_DIST_PATH: dist });
      expect(out).toContain('Electron cannot run here (Missing X server or $DISPLAY); starting browser mode instead.');
      expect(out).toMatch(/Boxscope UI:\s+http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    }, 60_000);
  },
);
