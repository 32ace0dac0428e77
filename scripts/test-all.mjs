// `npm test`: every suite the project has — static checks, the unit and
// integration tests (Vitest), the daemon's Go tests and the Playwright e2e
// journeys — then one closing line that adds them all up.
//
//   npm test                 everything
//   npm test -- --skip e2e   leave suites out (checks, vitest, go, e2e)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.tmp', 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const args = process.argv.slice(2);
const skip = new Set();
for (let i = 0; i < args.length; i++) if (args[i] === '--skip') skip.add(args[++i]);

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(cmd, argv, opts = {}) {
  process.stdout.write(`\n$ ${cmd} ${argv.join(' ')}\n`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env }, ...opts });
  return r.status ?? 1;
}

function count(name, passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  lines.push(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

// Static checks and builds each count as one test: a broken build fails the run visibly.
function check(name, cmd, argv, opts) {
  const code = run(cmd, argv, opts);
  count(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1, 0);
  return code === 0;
}

if (!skip.has('checks')) {
  // One tsconfig per layer (shared: no DOM, no Node; renderer: DOM; electron: Node), then everything with its tests.
  check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  check('lint', 'npx', ['eslint', '.']);
  check('format', 'npx', ['prettier', '--check', '.']);
}

const built =
  check('build cli', 'node', ['scripts/build-cli.mjs']) &&
  check('build daemon', 'bash', ['scripts/build-daemon.sh']) &&
  check('build quick launcher', 'bash', ['scripts/build-quick.sh']) &&
  check('build renderer', 'npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);

if (!skip.has('vitest')) {
  const file = path.join(out, 'vitest.json');
  const code = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  if (existsSync(file)) {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    // A file that failed to load has no failed test in it; count it so it cannot hide.
    const loadErrors = (r.testResults ?? []).filter(
      (t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    let failed = r.numFailedTests + loadErrors;
    if (code !== 0 && failed === 0) failed = 1; // e.g. unhandled errors between tests
    count('vitest', r.numPassedTests, failed, r.numPendingTests + r.numTodoTests);
  } else count('vitest', 0, 1, 0);
}

// The in-box daemon's module and the quick launcher's, each with its own go.mod.
for (const mod of skip.has('go') ? [] : ['daemon', 'quick']) {
  const r = spawnSync('go', ['test', '-json', '-count=1', '-trimpath', './...'], {
    cwd: path.join(root, mod),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    // Same settings as scripts/build-daemon.sh, so the tests reuse its compiled packages.
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
  });
  let passed = 0,
    failed = 0,
    skipped = 0;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    const ev = JSON.parse(line);
    if (ev.Action === 'output' && ev.Output) process.stdout.write(ev.Test ? '' : ev.Output);
    if (!ev.Test) continue;
    if (ev.Action === 'pass') passed++;
    else if (ev.Action === 'fail') {
      failed++;
      process.stdout.write(`--- FAIL: ${ev.Package} ${ev.Test}\n`);
    } else if (ev.Action === 'skip') skipped++;
  }
  if (r.status !== 0 && failed === 0) {
    failed = 1;
    process.stdout.write(r.stderr ?? '');
  }
  count(`go test (${mod})`, passed, failed, skipped);
}

if (!skip.has('e2e')) {
  const file = path.join(root, 'e2e', '.artifacts', 'results.json');
  rmSync(file, { force: true });
  if (built) run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']);
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {};
    count('e2e (playwright)', s.expected ?? 0, (s.unexpected ?? 0) + (s.flaky ?? 0), s.skipped ?? 0);
  } else count('e2e (playwright)', 0, 1, 0);
}

process.stdout.write('\n' + lines.join('\n') + '\n');
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = totals.failed === 0 ? 0 : 1;
