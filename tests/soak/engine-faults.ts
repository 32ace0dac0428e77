/**
 * Issue 10's fault soak, with the real CLI: the engine connection cut at the
 * create request and during a pull (a socket proxy, engine-proxy.ts), and the
 * launching process killed (`kill -9`) during a pull and between create and
 * start. Each launch must end promptly with one named line, its box `failed`
 * with a reason (never left in creating/pulling), and a later list (a new
 * process, the engine back) must show it reconciled.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Box, SpanRecord } from '../../shared/models.js';
import { BIN, ROOT, runCli, waitFor, docker } from '../fixtures/index.js';
import { startEngineProxy } from './engine-proxy.js';
import { bump, tally, type SoakRow } from './table.js';

const CREATE = /^POST \S*\/containers\/create/;
const PULL = /^POST \S*\/images\/create/;
const LAUNCHING = ['creating', 'pulling', 'starting'];

async function boxesJson(env: NodeJS.ProcessEnv): Promise<Box[]> {
  const r = await runCli(['boxes', '--json'], { env, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`boxes --json failed (${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Box[];
}

async function traceOf(env: NodeJS.ProcessEnv, traceId: string): Promise<SpanRecord[]> {
  const r = await runCli(['trace', traceId, '--json'], { env, timeoutMs: 60_000 });
  const o = JSON.parse(r.stdout) as SpanRecord[] | { spans: SpanRecord[] };
  return Array.isArray(o) ? o : o.spans;
}

function oneLine(stderr: string): string | undefined {
  const lines = stderr.trim().split('\n').filter(Boolean);
  if (lines.length !== 1) return `stderr has ${lines.length} lines: ${stderr.trim().slice(0, 300)}`;
  if (/\n\s+at |\bat .*\.m?js:\d+/.test(stderr)) return `a stack trace: ${stderr.slice(0, 300)}`;
  return undefined;
}

export interface FaultCase {
  what: string;
  image: string;
  /** The request the fault is tied to. */
  at: 'create' | 'pull';
}

/** The engine connection cut at the create request or during a pull; then the engine comes back. */
export async function engineCuts(o: {
  env: NodeJS.ProcessEnv;
  cases: FaultCase[];
  runs: number;
}): Promise<SoakRow & { failures: string[] }> {
  const failures: string[] = [];
  const states = new Map<string, number>();
  let worst = 0;
  let inputs = 0;
  let example: string | undefined;
  for (const c of o.cases)
    for (let k = 0; k < o.runs; k++) {
      inputs++;
      const proxy = await startEngineProxy(path.join(String(o.env.BOXSCOPE_HOME), '..', `engine-${k}.sock`));
      const env = { ...o.env, DOCKER_HOST: proxy.dockerHost };
      const name = `cut-${c.at}-${Date.now()}-${k}`;
      const where = `${c.what} #${k}`;
      try {
        void proxy.arm(c.at === 'create' ? CREATE : PULL, {
          afterMs: 0,
          waitForAnswer: c.at === 'pull',
        });
        const t0 = Date.now();
        const r = await runCli(['launch', c.image, '--no-daemon', '--name', name], { env, timeoutMs: 120_000 });
        const ms = Date.now() - t0;
        worst = Math.max(worst, ms);
        if (r.code === 0) failures.push(`${where}: launch exited 0 though the engine went away`);
        const bad = oneLine(r.stderr);
        if (bad) failures.push(`${where}: ${bad}`);
        if (!proxy.down) failures.push(`${where}: the proxy never saw the ${c.at} request (${proxy.seen.join(', ')})`);
        // While the engine is away a list either shows the box failed or says in one line that the engine is away.
        const listed = await runCli(['boxes', '--json'], { env, timeoutMs: 60_000 });
        const during =
          listed.code === 0 ? (JSON.parse(listed.stdout) as Box[]).find((b) => b.name === name) : undefined;
        if (listed.code !== 0) {
          const bad2 = oneLine(listed.stderr);
          if (bad2) failures.push(`${where}: boxes while the engine is away: ${bad2}`);
          bump(states, 'list while away: one line');
        }
        proxy.restore();
        const after = (await boxesJson(env)).find((b) => b.name === name);
        const b = after ?? during;
        bump(states, b ? `${b.state}${b.reason ? ' with reason' : ''}` : 'no record');
        if (!b) failures.push(`${where}: no box record`);
        else if (LAUNCHING.includes(b.state) || (b.state === 'failed' && !b.reason))
          failures.push(`${where}: box is ${b.state} (${b.reason ?? 'no reason'}) after the engine came back`);
        else if (b.state !== 'failed') {
          // Reconciled from the engine (docs/ARCHITECTURE.md): then the engine must agree.
          const cs = await docker.listContainers({ all: true, filters: { name: [name] } });
          if (cs[0]?.State !== b.state) failures.push(`${where}: box is ${b.state}, the engine says ${cs[0]?.State}`);
        }
        if (during && LAUNCHING.includes(during.state))
          failures.push(`${where}: box ${during.state} while the engine was away`);
        bump(states, `launch exit ${r.code}, one line`);
        example ??= r.stderr
          .trim()
          .replace(/bx-[0-9a-f]{12}/g, 'bx-…')
          .replace(/unix:\/\/\S+/g, 'unix://…');
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`);
      } finally {
        await proxy.close();
      }
    }
  return {
    family: '4. engine connection cut mid-create / mid-pull',
    inputs,
    faults: `${inputs} cuts (socket proxy on DOCKER_HOST): ${o.cases.map((c) => c.what).join(', ')}`,
    states: `${tally(states)}; slowest launch end ${(worst / 1000).toFixed(1)} s; e.g. «${example ?? ''}»`,
    spansLost: 0,
    ok: failures.length === 0,
    failure: failures[0],
    failures,
  };
}

/** `kill -9` of a CLI launch during a pull / between create and start, then a new process lists the boxes. */
export async function killedLaunches(o: {
  env: NodeJS.ProcessEnv;
  cases: FaultCase[];
  runs: number;
}): Promise<SoakRow & { failures: string[] }> {
  const failures: string[] = [];
  const states = new Map<string, number>();
  let inputs = 0;
  for (const c of o.cases)
    for (let k = 0; k < o.runs; k++) {
      inputs++;
      const name = `kill-${c.at}-${Date.now()}-${k}`;
      const where = `${c.what} #${k}`;
      const proxy = await startEngineProxy(path.join(String(o.env.BOXSCOPE_HOME), '..', `kill-${k}.sock`));
      try {
        // Mid-pull: the kill lands as the engine starts answering the pull; mid-create: the test-only hold
        // (BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS) keeps the launch between create and start.
        const child = spawn(process.execPath, [BIN, 'launch', c.image, '--no-daemon', '--name', name], {
          cwd: ROOT,
          env: {
            ...o.env,
            DOCKER_HOST: proxy.dockerHost,
            ...(c.at === 'create' ? { BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS: '60000' } : {}),
          },
          stdio: 'ignore',
        });
        const gone = new Promise((r) => child.on('exit', r));
        const kill = () => child.kill('SIGKILL');
        if (c.at === 'pull') void proxy.arm(PULL, { waitForAnswer: true, onMatch: kill });
        else
          void waitFor(
            async () => {
              const cs = await docker.listContainers({ all: true, filters: { name: [name] } });
              return cs.find((x) => x.State === 'created');
            },
            'created container',
            60_000,
          ).then(kill, kill);
        const timer = setTimeout(kill, 90_000);
        await gone;
        clearTimeout(timer);
        const b = (await boxesJson(o.env)).find((x) => x.name === name);
        bump(
          states,
          b ? `${b.state}${b.reason?.includes('interrupted') ? ' "interrupted"' : ` (${b.reason})`}` : 'no record',
        );
        if (!b) {
          failures.push(`${where}: no box record after the kill`);
          continue;
        }
        if (b.state !== 'failed' || !b.reason?.includes('interrupted'))
          failures.push(`${where}: box is ${b.state} (${b.reason ?? 'no reason'})`);
        const spans = b.traceId ? await traceOf(o.env, b.traceId) : [];
        const mark = spans.find((s) => s.name === 'box.interrupted');
        if (!mark || mark.status.code !== 2) failures.push(`${where}: the partial trace is not marked interrupted`);
        else bump(states, 'trace marked');
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`);
      } finally {
        await proxy.close();
      }
    }
  return {
    family: '5. kill -9 of a CLI launch mid-pull / mid-create',
    inputs,
    faults: `${inputs} kills: ${o.cases.map((c) => c.what).join(', ')}`,
    states: tally(states),
    spansLost: 0,
    ok: failures.length === 0,
    failure: failures[0],
    failures,
  };
}
