// `npm run soak`: issue 10's soak at full size (tests/soak/*.soak.ts, its own Vitest config, never part of
// `npm test`), then one table of its rows on stdout and as markdown in .tmp/soak/table.md.
//
//   npm run soak                      everything (about 10 minutes on a 2-core machine)
//   SOAK_SEED=123 npm run soak        the same inputs as a run that printed seed 123
//   SOAK_OTLP=500 SOAK_WIRE=500 SOAK_LAUNCHES=5 SOAK_FAULT_RUNS=1 npm run soak   a quick look
//   npm run soak -- -t "1\."          one family (Vitest's name filter)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.tmp', 'soak');
const rowsDir = path.join(out, 'rows');
rmSync(rowsDir, { recursive: true, force: true });
mkdirSync(rowsDir, { recursive: true });

const r = spawnSync(
  'npx',
  ['vitest', 'run', '--config', 'tests/soak/vitest.soak.config.ts', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

const rows = existsSync(rowsDir)
  ? readdirSync(rowsDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(rowsDir, f), 'utf8')))
  : [];
const cell = (v) =>
  String(v ?? '–')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const head = ['family', 'inputs tried', 'faults injected', 'states reached', 'spans lost', 'peak RSS (MB)', 'result'];
const lines = [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map(
    (x) =>
      `| ${[
        x.family,
        x.inputs,
        x.faults,
        x.states,
        x.spansLost,
        x.peakRssMb ?? '–',
        x.ok ? 'ok' : `FAILED: ${x.failure ?? ''}`,
      ]
        .map(cell)
        .join(' | ')} |`,
  ),
];
const seeds = [...new Set(rows.map((x) => x.seed).filter(Boolean))];
const md = [
  `Soak run of ${new Date().toISOString()}${seeds.length ? `, seed ${seeds.join(', ')} (rerun: SOAK_SEED=${seeds[0]} npm run soak)` : ''}.`,
  'Peak RSS: the core process (a `boxscope serve` of its own for families 1–3), from /proc (VmHWM and samples every 200 ms); issue 10 bounds the receiver at 512 MB.',
  '',
  ...lines,
  '',
].join('\n');
writeFileSync(path.join(out, 'table.md'), md);
process.stdout.write(`\n${md}\nwritten to ${path.relative(root, path.join(out, 'table.md'))}\n`);
process.exitCode = r.status === 0 && rows.length > 0 && rows.every((x) => x.ok) ? 0 : 1;
