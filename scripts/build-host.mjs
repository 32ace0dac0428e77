// The builds a working tree needs on this machine: the renderer, the Electron
// main and preload bundles, the CLI bundle and the in-box daemon for the
// host's architecture only. `npm ci` (prepare) runs them all; `npm start`
// runs what is missing. Each build is a child process in its own process
// group, so a signal to the caller can stop every process a build started.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);

/** The engine architecture names the daemon is built for, by Node's `process.arch`. */
const GO_ARCH = { x64: 'amd64', arm64: 'arm64' };
export const hostDaemonArch = () => GO_ARCH[process.arch];

/** Exit code of scripts/build-daemon.sh when Go is missing (it has printed its one line). */
const GO_MISSING = 3;

function viteBin() {
  try {
    const pkg = createRequire(import.meta.url).resolve('vite/package.json');
    return path.join(path.dirname(pkg), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

export const STEPS = [
  {
    name: 'renderer',
    label: 'the renderer (renderer/dist)',
    built: () => existsSync(at('renderer', 'dist', 'index.html')),
    argv: () => {
      const vite = viteBin();
      return vite && [process.execPath, vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'];
    },
  },
  {
    name: 'electron',
    label: 'the Electron main and preload bundles (dist/electron)',
    built: () => existsSync(at('dist', 'electron', 'main.cjs')) && existsSync(at('dist', 'electron', 'preload.cjs')),
    argv: () => [process.execPath, at('scripts', 'build-electron.mjs')],
  },
  {
    name: 'cli',
    label: 'the CLI bundle (dist/cli.mjs)',
    built: () => existsSync(at('dist', 'cli.mjs')),
    argv: () => [process.execPath, at('scripts', 'build-cli.mjs')],
  },
  {
    name: 'daemon',
    label: `the in-box daemon for linux/${hostDaemonArch()} (daemon/bin)`,
    // Optional steps say what goes on without them, and which command builds them.
    optional: 'boxes launch without it until `npm run build:daemon` succeeds',
    // build-daemon.sh skips a current binary by itself, so a stale one is rebuilt too.
    built: () => false,
    argv: () => ['bash', at('scripts', 'build-daemon.sh')],
    env: () => ({ BOXSCOPE_DAEMON_ARCHES: hostDaemonArch() }),
  },
  {
    name: 'quick',
    label: 'the quick launcher (dist/boxscope-quick)',
    optional: 'boxscope launch runs in Node until `npm run build:quick` succeeds',
    built: () => existsSync(at('dist', 'boxscope-quick')),
    argv: () => ['bash', at('scripts', 'build-quick.sh')],
    env: () => ({ BOXSCOPE_GO_MISSING_SAID: '1' }),
  },
];

/** Every child process a build or the caller started; stopAll() ends their process groups. */
export const children = new Set();

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function signalGroup(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // The group is gone already.
  }
}

/** Sends `sig` to every tracked child's process group, then SIGKILL to what is left after `graceMs`. */
export async function stopAll(sig = 'SIGTERM', graceMs = 5000) {
  const live = [...children];
  for (const c of live) signalGroup(c, sig);
  await Promise.race([
    Promise.all(live.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : once(c)))),
    new Promise((r) => setTimeout(r, graceMs).unref()),
  ]);
  // A group outlives its leader when a grandchild ignores the signal: end it either way.
  for (const c of live) signalGroup(c, 'SIGKILL');
}

const once = (child) => new Promise((r) => child.once('exit', r));

/** On SIGINT/SIGTERM: stop every child, then exit as the signal would have. */
export function stopChildrenOnSignal() {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      void stopAll(sig).then(() => process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[sig] ?? 0)));
    });
  }
}

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function runStep(step, log) {
  const argv = step.argv();
  if (!argv) return Promise.resolve({ ok: false, why: 'its devDependencies are not installed (run npm ci)' });
  const started = Date.now();
  log(`building ${step.label}…`);
  // Builds that take long (Go module downloads on a first build) show that they are still going.
  const beat = setInterval(() => log(`still building ${step.label} (${secs(Date.now() - started)})`), 15_000);
  return new Promise((resolve) => {
    const child = track(
      spawn(argv[0], argv.slice(1), {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...step.env?.() },
        detached: true,
      }),
    );
    const done = (r) => {
      clearInterval(beat);
      if (r.ok) log(`built ${step.label} in ${secs(Date.now() - started)}`);
      resolve(r);
    };
    child.once('error', (err) => done({ ok: false, why: err.message }));
    child.once('exit', (code, signal) =>
      done(
        code === 0
          ? { ok: true }
          : { ok: false, goMissing: code === GO_MISSING, why: signal ? `stopped by ${signal}` : `exit code ${code}` },
      ),
    );
  });
}

/**
 * Runs the steps in order (all of them, or only those not built with
 * `onlyMissing`). A failed required step ends the run; a failed optional one
 * (the daemon) is reported in one line and the rest is still built.
 * Resolves to true when every required step succeeded.
 */
export async function buildHost({ onlyMissing = false, log = (m) => console.log(`boxscope: ${m}`) } = {}) {
  let ok = true;
  for (const step of STEPS) {
    if (onlyMissing && step.built()) continue;
    const r = await runStep(step, log);
    if (r.ok) continue;
    if (step.optional) {
      // build-daemon.sh and build-quick.sh have already said in one line that Go is missing.
      if (!r.goMissing) log(`${step.label} did not build (${r.why}): ${step.optional}`);
      continue;
    }
    log(`${step.label} did not build (${r.why}); fix the error above and run it again`);
    ok = false;
    break;
  }
  return ok;
}
