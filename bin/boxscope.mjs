#!/usr/bin/env node
// Runs the bundled CLI, building it first on a fresh clone. The bundle is one script
// (dist/cli.cjs) compiled with a V8 code cache kept beside it per command (dist/.v8-cache/), so a
// call does not compile again the functions the last call of that command compiled
// (docs/CLI-SPEED.md). Without the script (an older build) it imports dist/cli.mjs as before.
import fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'dist', 'cli.cjs');
const bundle = path.join(root, 'dist', 'cli.mjs');
if (!fs.existsSync(script) || !fs.existsSync(bundle)) {
  const { buildCli } = await import(pathToFileURL(path.join(root, 'scripts', 'build-cli.mjs')).href);
  await buildCli();
}

/** The first word that is not an option: the command whose run the cache follows. */
function commandName(argv) {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  return word && /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'none';
}

function runScript() {
  let source;
  let stat;
  try {
    source = fs.readFileSync(script, 'utf8');
    stat = fs.statSync(script);
  } catch {
    return false;
  }
  // A cache belongs to this exact file (size and mtime), Node and CPU; V8 checks its own version and flags.
  const key = `${commandName(process.argv)}-${stat.size}-${Math.floor(stat.mtimeMs)}-${process.version}-${process.arch}`;
  const cacheDir = path.join(root, 'dist', '.v8-cache');
  const cacheFile = path.join(cacheDir, `${key}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first call of this command with this build
  }
  const compiled = new vm.Script(Module.wrap(source), {
    filename: script,
    cachedData,
  });
  if (!cachedData || compiled.cachedDataRejected)
    process.once('exit', (code) => {
      // Written at exit, so it holds the functions this call compiled (a call that failed early
      // compiled few: it leaves the cache to the next one); whole, then renamed into place.
      if (code !== 0) return;
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, compiled.createCachedData());
        fs.renameSync(tmp, cacheFile);
        for (const f of fs.readdirSync(cacheDir))
          if (f.startsWith(`${commandName(process.argv)}-`) && f !== `${key}.bin` && f.endsWith('.bin'))
            fs.rmSync(path.join(cacheDir, f), { force: true });
      } catch {
        // a read-only install: every call compiles, as without a cache
      }
    });
  const mod = new Module(script);
  mod.filename = script;
  mod.paths = Module._nodeModulePaths(path.dirname(script));
  const require = createRequire(script);
  compiled.runInThisContext()(mod.exports, require, mod, script, path.dirname(script));
  return true;
}

if (!runScript()) await import(pathToFileURL(bundle).href);
