/**
 * `npm start` (scripts/start.mjs) stops every process it started when it gets
 * SIGTERM or SIGINT: while building, and while serving browser mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, tempHome, waitFor, type TempHome } from '../fixtures/index.js';

let h: TempHome;
let clone: string;

/** Every live descendant of `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

function start(cwd: string): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [path.join(cwd, 'scripts', 'start.mjs'), '--otlp-port', '0'], {
    cwd,
    env: h.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out };
}

async function signalAndCheck(child: ChildProcess, sig: NodeJS.Signals) {
  const started = descendants(child.pid!);
  expect(started.length).toBeGreaterThan(0);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(sig);
  await exited;
  await waitFor(async () => (started.some(alive) ? undefined : true), 'children to exit', 8000).catch(() => undefined);
  expect(started.filter(alive)).toEqual([]);
}

beforeAll(async () => {
  h = tempHome();
  clone = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-start-'));
  expect((await run('git', ['clone', '-q', ROOT, clone])).code).toBe(0);
  expect((await run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules')])).code).toBe(0);
});

afterAll(() => {
  h.cleanup();
  fs.rmSync(clone, { recursive: true, force: true });
});

describe('npm start', () => {
  it('SIGTERM during a build stops the build and everything it started', async () => {
    const s = start(clone);
    await waitFor(async () => (/building the renderer/.test(s.out()) ? true : undefined), 'a build', 20_000);
    await signalAndCheck(s.child, 'SIGTERM');
  });

  it('SIGINT in browser mode stops the server it started', async () => {
    fs.rmSync(path.join(clone, 'renderer', 'dist'), { recursive: true, force: true });
    const s = start(clone);
    await waitFor(async () => (/Boxscope UI:/.test(s.out()) ? true : undefined), 'the UI URL', 240_000);
    await signalAndCheck(s.child, 'SIGINT');
  }, 300_000);
});
