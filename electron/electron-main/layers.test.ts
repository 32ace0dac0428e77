import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.(ts|tsx|mjs|js)$/.test(e.name) ? [p] : [];
  });
}

describe('layers', () => {
  it('only the Electron host files import electron', () => {
    const hostDir = path.join(root, 'electron', 'electron-main') + path.sep;
    const offenders = ['shared', 'electron', 'renderer/src']
      .flatMap((d) => sources(path.join(root, d)))
      .filter((f) => !f.startsWith(hostDir))
      .filter((f) => /(from\s+|import\s*\(\s*|require\s*\(\s*)['"]electron['"]/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
