/**
 * bin/boxscope.mjs runs dist/cli.cjs with a V8 code cache per command (docs/CLI-SPEED.md): a
 * successful call leaves one for its command and this build, and a damaged or foreign cache file
 * is refused by V8 and replaced — never run, never in the way of the command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ROOT, runCli, tempHome } from '../fixtures/index.js';

const cacheDir = path.join(ROOT, 'dist', '.v8-cache');
const cacheOf = (command: string) => {
  const size = fs.statSync(path.join(ROOT, 'dist', 'cli.cjs')).size;
  return path.join(cacheDir, `${command}-${size}-`);
};
const filesOf = (command: string) =>
  fs.existsSync(cacheDir)
    ? fs
        .readdirSync(cacheDir)
        .map((f) => path.join(cacheDir, f))
        .filter((f) => f.startsWith(cacheOf(command)) && f.endsWith('.bin'))
    : [];

describe('the CLI code cache', () => {
  beforeAll(async () => {
    await buildCli();
  }, 120_000);

  it('a call leaves a cache for its command and build; a damaged one is refused and replaced', async () => {
    const h = tempHome();
    try {
      for (const f of filesOf('registries')) fs.rmSync(f);
      const first = await runCli(['registries'], { env: h.env });
      expect(first.code).toBe(0);
      const [file] = filesOf('registries');
      expect(file).toBeDefined();
      expect(fs.statSync(file).size).toBeGreaterThan(1000);

      // Garbage of the same size where V8 expects its cache: refused, the command runs as without one.
      fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size, 0x5a));
      const damaged = await runCli(['registries'], { env: h.env });
      expect(damaged.code).toBe(0);
      expect(damaged.stderr).toBe('');
      expect(damaged.stdout).toBe(first.stdout);
      // …and a good cache is written in its place.
      expect(
        fs
          .readFileSync(file)
          .subarray(0, 64)
          .every((b) => b === 0x5a),
      ).toBe(false);

      // A failed call (a bad option) writes none.
      for (const f of filesOf('logout')) fs.rmSync(f);
      const bad = await runCli(['logout'], { env: h.env });
      expect(bad.code).not.toBe(0);
      expect(filesOf('logout')).toEqual([]);
    } finally {
      h.cleanup();
    }
  }, 60_000);
});
