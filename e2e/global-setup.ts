/** Builds what the journeys run: the CLI bundle and renderer always (both fast), the daemon when missing, the Electron bundle when it can run. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const root = path.resolve(import.meta.dirname, '..');

export default function globalSetup(): void {
  const electron = findElectronBinary();
  if (!electron.ok) console.log(`[e2e] electron project: every test will be skipped — ${electron.reason}`);
  // The lead's test-all builds everything before running this suite.
  if (process.env.BOXSCOPE_E2E_NO_BUILD) return;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  run(process.execPath, ['scripts/build-cli.mjs']);
  // Always: a stale renderer build would test yesterday's UI (and it takes a second or two).
  run('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  const bin = path.join(root, 'daemon', 'bin');
  if (!fs.existsSync(bin) || fs.readdirSync(bin).length === 0) {
    // Without the daemon, boxes boot without sandbox.boot: journey 3 then fails and says so.
    if (fs.existsSync(path.join(root, 'scripts', 'build-daemon.sh'))) run('bash', ['scripts/build-daemon.sh']);
    else console.log('[e2e] scripts/build-daemon.sh is missing: the in-box daemon is not built');
  }
  // Only the electron project runs the Electron bundle; when it can run, it must be current.
  if (electron.ok || !fs.existsSync(path.join(root, 'dist', 'electron', 'main.cjs'))) {
    run(process.execPath, ['scripts/build-electron.mjs']);
  }
}
