#!/usr/bin/env node
/* global performance, requestAnimationFrame, setTimeout, clearTimeout -- functions passed to page.evaluate run in the page */
// The trace timeline on the user's path, in Debian's Chromium.
//
//   node bench/timeline.bench.mjs [--sizes 1000,10000,100000] [--1m] [--json] [--no-build]
//   BOXSCOPE_BENCH_1M=1 node bench/timeline.bench.mjs      (adds the 1M-span file; never in CI)
//
// For each size: a box-create trace file (bench/fixtures/make-trace.mjs --seed 42), a fresh
// BOXSCOPE_HOME and `boxscope serve` on free ports, the printed URL in Chromium, the Traces page,
// and the file set on its "Open a trace file" input. Timed: file chosen → first span rows painted,
// then scrolling, expand all, a span detail, search (bench/lib/timeline-actions.mjs); page JS heap
// after a GC and the serve process's RSS. Baselines in the same page: the raw read of the file
// (`file.arrayBuffer()`) and `JSON.parse` of its text (where the text fits in a string).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRenderer, launchChromium, repoRoot } from '../renderer/scripts/page-harness.mjs';
import { buildCli } from '../scripts/build-cli.mjs';
import { startServe } from './lib/serve.mjs';
import { measureOpenTimeline } from './lib/timeline-actions.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('--sizes', '1000,10000,100000').split(',').map(Number);
if (args.includes('--1m') || process.env.BOXSCOPE_BENCH_1M === '1') sizes.push(1_000_000);
const asJson = args.includes('--json');
const log = (...a) => !asJson && console.log(...a);

const workDir = path.join(repoRoot, '.bench');
fs.mkdirSync(workDir, { recursive: true });

function traceFileFor(spans) {
  const file = path.join(workDir, `trace-${spans}.json`);
  if (!fs.existsSync(file)) {
    const gen = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bench/fixtures/make-trace.mjs'), '--spans', String(spans), '--seed', '42', '--out', file],
      { encoding: 'utf8' },
    );
    if (gen.status !== 0) throw new Error(`make-trace failed: ${gen.stderr}`);
  }
  return file;
}

/** Raw read and JSON.parse of the same file in the same page, through a throwaway input. */
async function baselines(page, file) {
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-baseline';
    input.style.display = 'none';
    document.body.append(input);
  });
  await page.setInputFiles('#bench-baseline', file);
  const out = await page.evaluate(async () => {
    const input = document.getElementById('bench-baseline');
    const f = input.files[0];
    let t0 = performance.now();
    const buf = await f.arrayBuffer();
    const rawReadMs = performance.now() - t0;
    void buf;
    let jsonParseMs = null;
    let jsonParseError = null;
    try {
      t0 = performance.now();
      JSON.parse(await f.text());
      jsonParseMs = performance.now() - t0;
    } catch (e) {
      jsonParseError = String(e.message ?? e).slice(0, 120);
    }
    input.remove();
    return { rawReadMs, jsonParseMs, jsonParseError };
  });
  return out;
}

async function runSize(browser, spans) {
  const file = traceFileFor(spans);
  const bytes = fs.statSync(file).size;
  log(`\n== ${spans.toLocaleString()} spans, ${(bytes / 1e6).toFixed(1)} MB OTLP JSON`);
  const app = await startServe();
  const results = { spans, fileMB: bytes / 1e6 };
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(app.url.replace('/?', '/?') + '#/traces');
    await page.waitForSelector('input[aria-label="Open a trace file"]', { state: 'attached' });
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    Object.assign(results, await baselines(page, file));
    await cdp.send('HeapProfiler.collectGarbage');
    results.coreRssBeforeMB = app.rssMB();

    // File chosen (the input's change event) → the first span row painted.
    await page.evaluate(() => {
      window.__firstRows = undefined;
      document.addEventListener(
        'change',
        () => {
          const t0 = performance.now();
          const poll = () => {
            if (document.querySelector('[data-testid="span-row"]'))
              requestAnimationFrame(() => setTimeout(() => (window.__firstRows = performance.now() - t0), 0));
            else if (document.querySelector('[data-testid="error-banner"]'))
              window.__firstRows = { error: document.querySelector('[data-testid="error-banner"]').textContent };
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
          window.__t0 = t0;
        },
        { capture: true, once: true },
      );
    });
    await page.setInputFiles('input[aria-label="Open a trace file"]', file);
    const first = await page.waitForFunction(() => window.__firstRows, null, { timeout: 300_000, polling: 50 });
    const fr = await first.jsonValue();
    if (typeof fr !== 'number') throw new Error(`the trace did not open: ${JSON.stringify(fr)}`);
    results.firstRowsMs = fr;
    // Every span in the model (the header counts them) — the whole file read, not only the first chunk.
    await page.waitForFunction(
      (n) => (document.querySelector('.trace-header')?.textContent ?? '').replace(/[,\s]/g, '').includes(`${n}spans`),
      spans,
      { timeout: 300_000, polling: 100 },
    );
    results.allSpansMs = await page.evaluate(() => performance.now() - window.__t0);
    await page.waitForTimeout(500);
    Object.assign(results, await measureOpenTimeline(page, { spans }));

    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(300);
    const heap = await cdp.send('Runtime.getHeapUsage');
    results.heapMB = heap.usedSize / 2 ** 20;
    results.coreRssMB = app.rssMB();
    results.corePeakRssMB = app.peakRssMB();
  } finally {
    await context.close();
    await app.stop();
  }
  return results;
}

// Both bundles are rebuilt so the figures are of the code in this tree, not of a stale dist/.
if (!args.includes('--no-build')) {
  buildRenderer();
  await buildCli();
}
const browser = await launchChromium();
const all = [];
try {
  for (const n of sizes) all.push(await runSize(browser, n));
} finally {
  await browser.close();
}

const targets = {
  firstRowsMs: (n) => (n >= 1_000_000 ? 3000 : 1000),
  scrollP95FrameMs: () => 16.7,
  blankFrames: () => 0,
  heapMB: () => 400,
  coreRssMB: () => 500,
  expandAllMs: () => 50,
  spanDetailMs: () => 50,
  searchMs: () => 200,
};
if (asJson) {
  console.log(JSON.stringify(all, null, 2));
} else {
  const fmt = (v, unit) => (v == null ? '–' : `${v.toFixed(unit === 'frames' ? 0 : 1)} ${unit}`);
  // [label, key, unit, compared to the baselines]: only the load path reads the same bytes the
  // baselines read, so only its rows carry ratios.
  const rows = [
    ['raw read (file.arrayBuffer())', 'rawReadMs', 'ms'],
    ['JSON.parse(await file.text())', 'jsonParseMs', 'ms'],
    ['file chosen → first rows', 'firstRowsMs', 'ms', true],
    ['file chosen → every span in', 'allSpansMs', 'ms', true],
    ['scroll p95 frame', 'scrollP95FrameMs', 'ms'],
    ['blank frames (median pass)', 'blankFrames', 'frames'],
    ['expand all', 'expandAllMs', 'ms'],
    ['span detail', 'spanDetailMs', 'ms'],
    ['search (attribute)', 'searchAttrMs', 'ms'],
    ['search (text)', 'searchTextMs', 'ms'],
    ['critical path', 'criticalPathMs', 'ms'],
    ['page JS heap after GC', 'heapMB', 'MB'],
    ['core RSS (trace open)', 'coreRssMB', 'MB'],
    ['core peak RSS', 'corePeakRssMB', 'MB'],
  ];
  const width = 40;
  console.log(`\n${''.padEnd(32)}${all.map((r) => `${r.spans.toLocaleString()} spans`.padStart(width)).join('')}`);
  for (const [label, key, unit, compared] of rows) {
    const cells = all.map((r) => {
      const v = r[key];
      const t = targets[key]?.(r.spans);
      const miss = t !== undefined && v != null && v > t + (key === 'scrollP95FrameMs' ? 0.5 : 0) ? '!' : ' ';
      const ratios = [];
      if (compared && v != null && r.rawReadMs) ratios.push(`${(v / r.rawReadMs).toFixed(0)}× raw`);
      if (compared && v != null && r.jsonParseMs) ratios.push(`${(v / r.jsonParseMs).toFixed(1)}× parse`);
      return `${miss}${fmt(v, unit)}${ratios.length ? ` (${ratios.join(', ')})` : ''}`.padStart(width);
    });
    console.log(`${label.padEnd(32)}${cells.join('')}`);
  }
  for (const r of all) {
    if (r.jsonParseError) console.log(`  ${r.spans}: JSON.parse failed: ${r.jsonParseError}`);
    if (r.blankFramesAllPasses) console.log(`  ${r.spans}: ${r.blankFramesAllPasses} blank frames over 3 passes`);
  }
  console.log(
    `  (! = misses the goal; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${os.cpus().length} cores)`,
  );
}
