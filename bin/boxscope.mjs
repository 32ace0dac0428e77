#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.mjs), building it first on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'cli.mjs');
if (!existsSync(bundle)) {
  const { buildCli } = await import(pathToFileURL(path.join(root, 'scripts', 'build-cli.mjs')).href);
  await buildCli();
}
await import(pathToFileURL(bundle).href);
