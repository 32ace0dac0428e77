// `npm start`: build what is missing, then run the desktop app. Where
// Electron's binary is missing or cannot start, say so in one line and serve
// the same UI in browser mode instead, printing its URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const at = (...p) => path.join(root, ...p);

function run(script, { required }) {
  const r = spawnSync(npm, ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return true;
  const msg = `boxscope: \`npm run ${script}\` failed`;
  if (required) {
    console.error(`${msg}; fix the error above and run npm start again.`);
    process.exit(1);
  }
  console.error(`${msg}; continuing (boxes will start without the in-box daemon).`);
  return false;
}

const hasFiles = (dir) => existsSync(dir) && readdirSync(dir).length > 0;
if (!existsSync(at('renderer', 'dist', 'index.html'))) run('build:renderer', { required: true });
if (!hasFiles(at('daemon', 'bin'))) run('build:daemon', { required: false });
if (!existsSync(at('dist', 'electron', 'main.cjs')) || !existsSync(at('dist', 'electron', 'preload.cjs'))) {
  run('build:electron', { required: true });
}

function browserMode(why) {
  console.log(`Electron cannot run here (${why}); starting browser mode instead.`);
  const child = spawn(process.execPath, [at('bin', 'boxscope.mjs'), 'serve', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron = findElectronBinary();
if (!electron.ok) {
  browserMode(electron.reason);
} else {
  const started = Date.now();
  let stderr = '';
  const child = spawn(electron.path, [root, ...process.argv.slice(2)], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  child.on('error', (err) => browserMode(err.message));
  child.on('exit', (code, signal) => {
    // A crash within seconds of starting means Electron itself cannot run (no display, missing libraries).
    if (code !== 0 && !signal && Date.now() - started < 5000) {
      browserMode(stderr.trim().split('\n').pop() || `electron exited with code ${code}`);
    } else {
      process.exit(code ?? 0);
    }
  });
}
