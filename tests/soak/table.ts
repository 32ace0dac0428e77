/** One row per soak family, written to .tmp/soak/rows/ and gathered into one table by scripts/soak.mjs. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../fixtures/index.js';

export interface SoakRow {
  family: string;
  /** Inputs tried (bodies, messages, launches, runs). */
  inputs: number;
  /** What was broken on purpose, in words. */
  faults: string;
  /** States or answers reached, e.g. `200×4000 400×900`. */
  states: string;
  spansLost: number;
  /** Peak resident memory of the process under test, MB (VmHWM). */
  peakRssMb?: number;
  seed?: number;
  ok: boolean;
  /** First failure (kind, seed index) when not ok. */
  failure?: string;
}

export const ROWS_DIR = path.join(ROOT, '.tmp', 'soak', 'rows');

export function writeRow(row: SoakRow): void {
  fs.mkdirSync(ROWS_DIR, { recursive: true });
  fs.writeFileSync(path.join(ROWS_DIR, `${row.family.replace(/[^\w-]+/g, '_')}.json`), JSON.stringify(row, null, 2));
  process.stdout.write(`soak row: ${JSON.stringify(row)}\n`);
}

/** `{a: 3, b: 1}` → `a×3 b×1`, largest first. */
export function tally(counts: Map<string, number> | Record<string, number>): string {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return entries
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
}

export function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}
