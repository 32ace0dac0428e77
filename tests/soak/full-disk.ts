/**
 * Issue 10's data-dir soak: BOXSCOPE_HOME on a small tmpfs (root only), filled
 * to the last byte. Every command gives at most one line (a failing one names
 * the file and what to do), none crashes, `boxes` and `registries` keep
 * working, and after space is freed writing works again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, run, type TempHome } from '../fixtures/index.js';
import { bump, tally, type SoakRow } from './table.js';

function traceFile(dir: string, spans: number): string {
  const traceId = 'ab'.repeat(16);
  const file = path.join(dir, `trace-${spans}.json`);
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `disk.${i}`,
    kind: 1,
    startTimeUnixNano: '1795000000000000000',
    endTimeUnixNano: '1795000001000000000',
    attributes: [{ key: 'pad', value: { stringValue: 'p'.repeat(200) } }],
  }));
  fs.writeFileSync(
    file,
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'disk' } }] },
          scopeSpans: [{ spans: list }],
        },
      ],
    }),
  );
  return file;
}

/** Writes zeros until the file system refuses (ENOSPC). */
function fill(dir: string): number {
  let n = 0;
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) n += fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  // The last partial page too.
  try {
    fs.appendFileSync(path.join(dir, 'filler2'), Buffer.alloc(4096));
  } catch {
    // full
  }
  return n;
}

export async function fullDataDir(o: {
  h: TempHome;
  image: string;
  rounds: number;
}): Promise<SoakRow & { failures: string[] }> {
  const failures: string[] = [];
  const states = new Map<string, number>();
  const home = path.join(o.h.dir, 'tmpfs-home');
  fs.mkdirSync(home, { recursive: true });
  const m = await run('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', home]);
  if (m.code !== 0) throw new Error(`mount tmpfs: ${m.stderr}`);
  const env = { ...o.h.env, BOXSCOPE_HOME: home };
  const small = traceFile(o.h.dir, 10);
  const big = traceFile(o.h.dir, 3000);
  let inputs = 0;
  const cmd = async (args: string[], want: 'ok' | 'line', where: string) => {
    inputs++;
    const r = await runCli(args, { env, timeoutMs: 120_000 });
    const lines = r.stderr.trim().split('\n').filter(Boolean);
    const label = `${args[0]}${args[1] === '--json' ? ' --json' : ''} (${where}): exit ${r.code}`;
    bump(states, label);
    if (r.code === -1 || (r.code > 2 && r.code !== 3))
      failures.push(`${label}: crashed or killed: ${r.stderr.slice(0, 300)}`);
    if (/\n\s+at |SqliteError|ENOSPC: no space left on device, write/.test(r.stderr))
      failures.push(`${label}: a raw error: ${r.stderr.slice(0, 300)}`);
    if (lines.length > 1) failures.push(`${label}: ${lines.length} lines on stderr: ${r.stderr.slice(0, 300)}`);
    if (want === 'ok' && r.code !== 0) failures.push(`${label}: should work: ${r.stderr.trim()}`);
    if (want === 'line' && r.code !== 0 && !(r.stderr.includes(home) && /free|space|full/i.test(r.stderr)))
      failures.push(`${label}: the line names no file or no remedy: ${r.stderr.trim()}`);
    return r;
  };
  try {
    await cmd(['boxes', '--json'], 'ok', 'empty');
    await cmd(['launch', o.image, '--no-daemon', '--name', `disk-${Date.now()}`], 'ok', 'before');
    await cmd(['import', small], 'ok', 'before');
    for (let k = 0; k < o.rounds; k++) {
      const filled = fill(home);
      bump(states, 'filled');
      if (filled === 0 && k === 0) failures.push('the filler wrote nothing: the tmpfs was already full');
      await cmd(['boxes'], 'ok', 'full');
      await cmd(['boxes', '--json'], 'ok', 'full');
      await cmd(['registries'], 'ok', 'full');
      await cmd(['import', big], 'line', 'full');
      await cmd(['launch', o.image, '--no-daemon', '--name', `disk-full-${Date.now()}-${k}`], 'line', 'full');
      fs.rmSync(path.join(home, 'filler'), { force: true });
      fs.rmSync(path.join(home, 'filler2'), { force: true });
      await cmd(['import', small], 'ok', 'freed');
      await cmd(['boxes'], 'ok', 'freed');
    }
    await cmd(['launch', o.image, '--no-daemon', '--name', `disk-after-${Date.now()}`], 'ok', 'freed');
  } finally {
    await run('umount', ['-l', home]);
  }
  return {
    family: '6. full data dir (8 MiB tmpfs as BOXSCOPE_HOME)',
    inputs,
    faults: `${o.rounds} fills to ENOSPC, each freed again`,
    states: tally(states),
    spansLost: 0,
    ok: failures.length === 0,
    failure: failures[0],
    failures,
  };
}
