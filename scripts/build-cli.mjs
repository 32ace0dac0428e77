// Bundles the CLI into one ESM file so `boxscope` starts in tens of
// milliseconds instead of compiling TypeScript on every call.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCli() {
  await build({
    entryPoints: [path.join(root, 'electron', 'cli', 'main.ts')],
    outfile: path.join(root, 'dist', 'cli.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Native and optional modules stay outside the bundle.
    external: ['better-sqlite3', 'cpu-features', 'ssh2', 'electron'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli();
