// `npm start`: build what is missing (for this machine's architecture only,
// with progress), then run the desktop app. Where Electron's binary is missing
// or cannot start, say so in one line and serve the same UI in browser mode
// instead, printing its URL. On SIGINT/SIGTERM/SIGHUP every child it started
// (builds, Electron, the server) is stopped before it exits.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildHost, root, stopChildrenOnSignal, track } from './build-host.mjs';
import { findElectronBinary } from './electron-binary.mjs';

stopChildrenOnSignal();
if (!(await buildHost({ onlyMissing: true }))) process.exit(1);

// Own process groups: the signal handler ends each child with what it started.
const spawnTracked = (cmd, args, stdio) => track(spawn(cmd, args, { cwd: root, stdio, detached: true }));

function browserMode(why) {
  console.log(`Electron cannot run here (${why}); starting browser mode instead.`);
  const child = spawnTracked(
    process.execPath,
    [path.join(root, 'bin', 'boxscope.mjs'), 'serve', ...process.argv.slice(2)],
    ['ignore', 'inherit', 'inherit'],
  );
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron = findElectronBinary();
if (!electron.ok) {
  browserMode(electron.reason);
} else {
  const started = Date.now();
  let stderr = '';
  const child = spawnTracked(electron.path, [root, ...process.argv.slice(2)], ['ignore', 'inherit', 'pipe']);
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
