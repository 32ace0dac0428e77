#!/usr/bin/env node
/* global performance -- functions passed to page.evaluate run in the page */
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
import { openFile, openStored } from './lib/open-trace.mjs';
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

/** The OTLP file's spans as Jaeger JSON (bench/fixtures/otlp-to-jaeger.mjs). */
function jaegerFileFor(otlpFile) {
  const file = otlpFile.replace(/\.json$/, '.jaeger.json');
  if (!fs.existsSync(file)) {
    const gen = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bench/fixtures/otlp-to-jaeger.mjs'), otlpFile, file],
      {
        encoding: 'utf8',
      },
    );
    if (gen.status !== 0) throw new Error(`otlp-to-jaeger failed: ${gen.stderr}`);
  }
  return file;
}

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

    // File chosen (the input's change event) → the first span row painted → every span counted.
    Object.assign(results, await openFile(page, file, spans));
    const traceId = /#\/traces\/([0-9a-f]{32})/.exec(page.url())?.[1];
    await page.waitForTimeout(500);
    Object.assign(results, await measureOpenTimeline(page, { spans }));

    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(300);
    const heap = await cdp.send('Runtime.getHeapUsage');
    results.heapMB = heap.usedSize / 2 ** 20;
    // The model's typed arrays live in ArrayBuffers, outside the JS heap: count them too.
    if (typeof heap.backingStorageSize === 'number') results.buffersMB = heap.backingStorageSize / 2 ** 20;
    results.coreRssMB = app.rssMB();
    results.corePeakRssMB = app.peakRssMB();
    await context.close();

    // The same trace after a restart: a new serve on the same data dir, its deep link.
    await app.stop({ keepHome: true });
    const again = await startServe({ home: app.home });
    try {
      const ctx2 = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const reopen = await openStored(await ctx2.newPage(), again.url, traceId, spans);
      results.reopenFirstRowsMs = reopen.firstRowsMs;
      results.reopenAllSpansMs = reopen.allSpansMs;
      results.reopenCoreRssMB = again.rssMB();
      await ctx2.close();
    } finally {
      await again.stop();
    }

    // The same spans as a Jaeger JSON file (where the converter can hold the file).
    if (spans <= 100_000) {
      const jaeger = jaegerFileFor(file);
      const app3 = await startServe();
      try {
        const ctx3 = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const p3 = await ctx3.newPage();
        await p3.goto(app3.url + '#/traces');
        const j = await openFile(p3, jaeger, spans);
        results.jaegerFirstRowsMs = j.firstRowsMs;
        results.jaegerAllSpansMs = j.allSpansMs;
        await ctx3.close();
      } finally {
        await app3.stop();
      }
    }
  } finally {
    await context.close().catch(() => {});
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
  reopenFirstRowsMs: (n) => (n >= 1_000_000 ? 3000 : 1000),
  jaegerFirstRowsMs: (n) => (n >= 1_000_000 ? 3000 : 1000),
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
    ['restart, reopen → first rows', 'reopenFirstRowsMs', 'ms'],
    ['restart, reopen → every span', 'reopenAllSpansMs', 'ms'],
    ['Jaeger file → first rows', 'jaegerFirstRowsMs', 'ms'],
    ['Jaeger file → every span in', 'jaegerAllSpansMs', 'ms'],
    ['scroll p95 frame', 'scrollP95FrameMs', 'ms'],
    ['blank frames (median pass)', 'blankFrames', 'frames'],
    ['expand all', 'expandAllMs', 'ms'],
    ['span detail', 'spanDetailMs', 'ms'],
    ['search (attribute)', 'searchAttrMs', 'ms'],
    ['search (text)', 'searchTextMs', 'ms'],
    ['critical path', 'criticalPathMs', 'ms'],
    ['page JS heap after GC', 'heapMB', 'MB'],
    ['page ArrayBuffers after GC', 'buffersMB', 'MB'],
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
    if (r.timedOut?.length) console.log(`  ${r.spans}: showed nothing within 20 s: ${r.timedOut.join(', ')}`);
  }
  console.log(
    `  (! = misses the goal; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${os.cpus().length} cores)`,
  );
}
