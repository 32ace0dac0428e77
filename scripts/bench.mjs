// Runs every bench/*.bench.* file in turn (TypeScript ones through tsx) and
// fails if any of them fails. Extra arguments are passed to each bench.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'bench');
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.bench\.(mjs|js|ts|mts)$/.test(f))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const ts = /\.m?ts$/.test(f);
  const args = [...(ts ? ['--import', 'tsx'] : []), path.join(dir, f), ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} failed (exit ${r.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
