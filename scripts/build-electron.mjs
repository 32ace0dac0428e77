// Bundles the Electron host: main (Node side), the core's utility process
// (dist/electron/core-process.cjs, forked by main) and preload (sandboxed, so it
// must be one self-contained CommonJS file). `electron` stays external; the
// native better-sqlite3 too, since it is rebuilt for Electron's ABI at packaging.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildElectron() {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: 'warning',
  };
  await build({
    ...common,
    entryPoints: [path.join(root, 'electron', 'electron-main', 'main.ts')],
    outfile: path.join(root, 'dist', 'electron', 'main.cjs'),
    external: ['electron', 'better-sqlite3', 'cpu-features', 'ssh2'],
  });
  await build({
    ...common,
    entryPoints: [path.join(root, 'electron', 'electron-utility', 'entry.ts')],
    outfile: path.join(root, 'dist', 'electron', 'core-process.cjs'),
    external: ['better-sqlite3', 'cpu-features', 'ssh2'],
  });
  await build({
    ...common,
    entryPoints: [path.join(root, 'electron', 'electron-main', 'preload.ts')],
    outfile: path.join(root, 'dist', 'electron', 'preload.cjs'),
    external: ['electron'],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildElectron();
