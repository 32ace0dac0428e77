// Bundles the CLI into one ESM entry (dist/cli.mjs) plus lazily loaded chunks
// (dist/chunks/) so `boxscope` starts in tens of milliseconds instead of
// compiling TypeScript on every call, and loads only what a command needs;
// and into one script (dist/cli.cjs) that bin/boxscope.mjs runs with a code cache.
import { build } from 'esbuild';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// dockerode loads gRPC at startup for BuildKit sessions, which Boxscope never
// opens: an empty module keeps ~1 MB of parsing off every CLI start.
const noBuildkitSession = {
  name: 'no-buildkit-session',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/(grpc-js|proto-loader)$/ }, (a) => ({ path: a.path, namespace: 'boxscope-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'boxscope-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

// docker-modem loads ssh2 (and through it cpu-features) at startup for ssh:// engines: ~50 ms of
// module loading on every CLI start. Its ssh agent is loaded on first use instead.
const lazySshAgent = {
  name: 'lazy-ssh-agent',
  setup(b) {
    b.onResolve({ filter: /^\.\/ssh$/ }, (a) =>
      /docker-modem[\\/]lib[\\/]modem\.js$/.test(a.importer)
        ? { path: path.join(path.dirname(a.importer), 'ssh.js'), namespace: 'boxscope-lazy-ssh' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'boxscope-lazy-ssh' }, (a) => ({
      contents: `module.exports = function (opt) { return require(${JSON.stringify(a.path)})(opt); };`,
      loader: 'js',
      resolveDir: path.dirname(a.path),
    }));
  },
};

// zod's namespace re-exports every locale's messages (~300 KB of the ~440 KB it adds to a launch);
// Boxscope's errors are its own English lines and zod's default locale is English, so only that one
// is bundled (z.locales holds just `en`).
const englishZodOnly = {
  name: 'english-zod-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer)
        ? { path: path.join(path.dirname(a.importer), '..', 'locales', 'en-only.js'), namespace: 'boxscope-zod-en' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'boxscope-zod-en' }, (a) => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: path.dirname(a.path),
    }));
  },
};

export async function buildCli() {
  const result = await build({
    metafile: true,
    entryPoints: { cli: path.join(root, 'electron', 'cli', 'main.ts') },
    outdir: path.join(root, 'dist'),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    minify: !process.env.BOXSCOPE_NO_MINIFY,
    mainFields: ['module', 'main'],
    keepNames: true,
    // Native and optional modules stay outside the bundle.
    external: ['better-sqlite3', 'cpu-features', 'ssh2', 'electron'],
    plugins: [noBuildkitSession, lazySshAgent, englishZodOnly],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  pruneChunks(new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(root, f))));
  await buildCliScript();
}

// The same CLI as one CommonJS script (dist/cli.cjs), which bin/boxscope.mjs compiles with a V8
// code cache: compiling the functions a command runs was about 40 ms of a ~195 ms CPU launch,
// and a cached launch skips it (docs/CLI-SPEED.md). ES modules get no code cache before Node 22.
// A script compiled by bin/boxscope.mjs has no module loader behind import() (not without
// --experimental-vm-modules on Node 20), so what the bundle leaves to one (Node's own modules, an
// optional package like kerberos) is reached by require instead, still only when the import() runs.
const importByRequire = {
  name: 'import-by-require',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind !== 'dynamic-import' || a.namespace === 'boxscope-require') return undefined;
      const name = a.path.replace(/^node:/, '');
      const builtin = builtinModules.includes(name);
      if (!builtin && a.path !== 'kerberos') return undefined;
      return { path: a.path, namespace: 'boxscope-require' };
    });
    b.onLoad({ filter: /.*/, namespace: 'boxscope-require' }, (a) => ({
      // `load` rather than a literal require(…), which esbuild would try to bundle.
      contents: `const load = require; module.exports = load(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};

async function buildCliScript() {
  const out = path.join(root, 'dist', 'cli.cjs');
  const result = await build({
    entryPoints: [path.join(root, 'electron', 'cli', 'main.ts')],
    outfile: out,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    minify: !process.env.BOXSCOPE_NO_MINIFY,
    mainFields: ['module', 'main'],
    keepNames: true,
    external: ['better-sqlite3', 'cpu-features', 'ssh2', 'electron'],
    plugins: [noBuildkitSession, lazySshAgent, englishZodOnly, importByRequire],
    // Code that finds the package from its own file (serve's renderer, the daemon's binary) reads import.meta.url.
    define: { 'import.meta.url': '__boxscope_import_meta_url' },
    banner: { js: "var __boxscope_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // Written whole and renamed into place: a CLI starting meanwhile reads the old file or the new one.
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, f.contents);
    fs.renameSync(tmp, f.path);
  }
}

// Chunks of earlier builds are removed once they are old enough that no CLI
// started from that build can still be loading them.
function pruneChunks(keep) {
  const dir = path.join(root, 'dist', 'chunks');
  const cutoff = Date.now() - 10 * 60_000;
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (!keep.has(p) && fs.statSync(p).mtimeMs < cutoff) fs.rmSync(p, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli();
