/* global setTimeout, clearTimeout */
// `boxscope serve` as a user starts it, for the benches: free ports, a fresh data dir, the
// printed UI URL and OTLP endpoint, and the process's memory from /proc.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../renderer/scripts/page-harness.mjs';

// BOXSCOPE_BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles each serve.
const nodeArgs = (process.env.BOXSCOPE_BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** `boxscope serve` on free ports with its own fresh data dir (or `home`, kept, for a restart). */
export async function startServe({ home: reuse, env: extraEnv = {} } = {}) {
  const home = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-bench-'));
  const userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-bench-home-'));
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(repoRoot, 'bin/boxscope.mjs'), 'serve', '--port', '0', '--otlp-port', '0'],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: userHome,
        BOXSCOPE_HOME: home,
        LANG: 'C.UTF-8',
        TMPDIR: os.tmpdir(),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let ready = false;
  const url = await new Promise((resolve, reject) => {
    // A serve that never gets ready must not outlive the bench.
    const fail = (err) => {
      child.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(userHome, { recursive: true, force: true });
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`boxscope serve printed no URL:\n${output}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (m && /OTLP receiver:.*\n/.test(output) && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      if (ready) return;
      clearTimeout(timer);
      fail(new Error(`boxscope serve exited with ${code}:\n${output}`));
    });
  });
  const status = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  };
  const otlp = /OTLP receiver:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  return {
    url,
    otlp,
    pid: child.pid,
    rssMB: () => status('VmRSS'),
    peakRssMB: () => status('VmHWM'),
    output: () => output,
    home,
    /** Stops the serve (again: no-op) and removes its dirs, or keeps the data dir for a restart. */
    async stop({ keepHome = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      if (!keepHome) fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(userHome, { recursive: true, force: true });
    },
  };
}
