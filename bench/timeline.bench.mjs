#!/usr/bin/env node
/* global performance, setTimeout, requestAnimationFrame, queueMicrotask, KeyboardEvent -- functions passed to page.evaluate run in the page */
// Large-trace benchmark of the renderer's timeline in Debian's Chromium.
//
//   node bench/timeline.bench.mjs [--spans 100000] [--json] [--no-build]
//
// Builds the renderer, serves renderer/dist on 127.0.0.1 with a fake API in the page that
// hands the app a box-create-shaped trace (bench/fixtures/make-trace.mjs), then measures what
// a user waits for: first rows after opening the trace, scrolling end to end (frame times and
// frames with missing rows), JS heap, expand-all, span detail, search and critical path.
// Every figure is printed beside JSON.parse of the same OTLP file in the same page, as a ratio.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRenderer, harnessScript, launchChromium, repoRoot, serve } from '../renderer/scripts/page-harness.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const spans = Number(opt('--spans', '100000'));
const asJson = args.includes('--json');
const log = (...a) => !asJson && console.log(...a);

const workDir = path.join(repoRoot, '.bench');
fs.mkdirSync(workDir, { recursive: true });
const traceFile = path.join(workDir, `trace-${spans}.json`);
const gen = spawnSync(
  process.execPath,
  [path.join(repoRoot, 'bench/fixtures/make-trace.mjs'), '--spans', String(spans), '--seed', '42', '--out', traceFile],
  {
    encoding: 'utf8',
  },
);
if (gen.status !== 0) throw new Error(`make-trace failed: ${gen.stderr}`);
log(`trace: ${spans.toLocaleString()} spans, ${(fs.statSync(traceFile).size / 1e6).toFixed(1)} MB OTLP JSON`);
if (!args.includes('--no-build')) buildRenderer();

const server = await serve({ '/bench/trace.json': traceFile });
const browser = await launchChromium();
const results = {};
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.addInitScript({ content: await harnessScript({ mode: 'bench', traceUrl: '/bench/trace.json' }) });
  await page.goto(`${server.url}/?token=bench#/traces`);
  const ready = await page.evaluate(() => window.__benchReady);
  results.spans = ready.spans;
  results.jsonParseMs = ready.parseMs;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');

  // Time from opening the trace to its first rows painted.
  results.firstRowsMs = await page.evaluate(
    (traceId) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        window.location.hash = `#/traces/${traceId}`;
        const poll = () => {
          if (document.querySelector('[data-testid="span-row"]')) setTimeout(() => resolve(performance.now() - t0), 0);
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }),
    ready.traceId,
  );
  await page.waitForTimeout(500);

  // Scroll end to end: every frame jumps a fixed distance, then the next frame checks that the rows
  // covering the viewport exist. Three passes (down, up, down); the median pass is reported, since
  // other work on a shared 2-core machine shows up as single bad passes.
  const scrollPass = (down) =>
    page.evaluate(
      (down) =>
        new Promise((resolve) => {
          const list = document.querySelector('.span-list');
          const rowH = 26;
          const total = list.scrollHeight - list.clientHeight;
          list.scrollTop = down ? 0 : total;
          const frames = 600;
          const step = Math.ceil(total / frames);
          const intervals = [];
          const work = [];
          let blank = 0;
          const blankSamples = [];
          let checked = 0;
          let last = performance.now();
          let scrollStart = 0;
          // Capture on the document runs before the list's own scroll handler (the virtualizer's
          // synchronous render); a listener on the list runs after it.
          const onCapture = () => (scrollStart = performance.now());
          const onScroll = () => work.push(performance.now() - scrollStart);
          document.addEventListener('scroll', onCapture, { capture: true, passive: true });
          list.addEventListener('scroll', onScroll, { passive: true });
          const covered = () => {
            const first = Math.floor(list.scrollTop / rowH);
            const lastRow = Math.min(
              Math.ceil((list.scrollTop + list.clientHeight) / rowH) - 1,
              Number(list.getAttribute('aria-rowcount')) - 1,
            );
            return !!list.querySelector(`[data-row="${first}"]`) && !!list.querySelector(`[data-row="${lastRow}"]`);
          };
          const tick = (now) => {
            intervals.push(now - last);
            last = now;
            checked++;
            if (!covered()) {
              blank++;
              if (blankSamples.length < 3) {
                const shown = [...list.querySelectorAll('[data-row]')].map((r) => Number(r.getAttribute('data-row')));
                blankSamples.push({
                  scrollTop: list.scrollTop,
                  firstNeeded: Math.floor(list.scrollTop / rowH),
                  shownFrom: Math.min(...shown),
                  shownTo: Math.max(...shown),
                  sinceLastFrameMs: Math.round(now - (last - intervals[intervals.length - 1])),
                });
              }
            }
            const atEnd = down ? list.scrollTop >= total - 1 : list.scrollTop <= 0;
            if (atEnd) {
              document.removeEventListener('scroll', onCapture, { capture: true });
              list.removeEventListener('scroll', onScroll);
              intervals.shift();
              const sorted = [...intervals].sort((a, b) => a - b);
              const ws = [...work].sort((a, b) => a - b);
              const pct = (arr, p) => arr[Math.min(arr.length - 1, Math.floor(arr.length * p))];
              resolve({
                scrollFrames: checked,
                scrollP95FrameMs: pct(sorted, 0.95),
                scrollP50FrameMs: pct(sorted, 0.5),
                scrollMaxFrameMs: sorted[sorted.length - 1],
                // At 60 Hz a frame that misses its vsync shows as a ~33 ms interval.
                scrollMissedFrames: intervals.filter((x) => x > 25).length,
                scrollP95RenderMs: pct(ws, 0.95),
                blankFrames: blank,
                blankSamples,
              });
              return;
            }
            list.scrollTop = down ? Math.min(total, list.scrollTop + step) : Math.max(0, list.scrollTop - step);
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
      down,
    );
  const passes = [];
  for (const down of [true, false, true]) {
    passes.push(await scrollPass(down));
    await page.waitForTimeout(200);
  }
  const median = [...passes].sort(
    (a, b) => a.scrollP95FrameMs - b.scrollP95FrameMs || a.scrollMissedFrames - b.scrollMissedFrames,
  )[1];
  Object.assign(results, median);
  results.scrollPasses = passes.map((p) => ({
    p95: p.scrollP95FrameMs,
    missed: p.scrollMissedFrames,
    blank: p.blankFrames,
  }));
  results.blankFramesAllPasses = passes.reduce((a, p) => a + p.blankFrames, 0);
  results.blankSamples = passes.flatMap((p) => p.blankSamples);
  results.loadAverage = os.loadavg()[0];

  // One user action, timed from the input to the first paint after the DOM shows its effect.
  const timeAction = (body) =>
    page.evaluate(
      (src) =>
        new Promise((resolve, reject) => {
          const { act, done } = new Function(`return (${src})`)()();
          const t0 = performance.now();
          act();
          const poll = () => {
            if (performance.now() - t0 > 20_000) return reject(new Error('action timed out'));
            if (done()) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
            else setTimeout(poll, 0);
          };
          queueMicrotask(poll);
        }),
      body.toString(),
    );

  await page.evaluate(() => document.querySelector('.span-list').scrollTo(0, 0));
  await page.click('button:has-text("Collapse all")');
  await page.waitForTimeout(300);
  results.expandAllMs = await timeAction(() => ({
    act: () => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Expand all').click(),
    done: () => Number(document.querySelector('.span-list').getAttribute('aria-rowcount')) > 1000,
  }));
  await page.waitForTimeout(300);

  results.spanDetailMs = await timeAction(() => {
    const row = document.querySelectorAll('[data-testid="span-row"]')[12];
    const id = row.getAttribute('data-span-id');
    return {
      act: () => row.click(),
      done: () =>
        document
          .querySelector('[data-testid="span-detail"] .mono')
          ?.closest('[data-testid="span-detail"]')
          ?.textContent.includes(id),
    };
  });
  await page.waitForTimeout(300);

  const search = (q) =>
    timeAction(
      new Function(`return () => {
        const input = document.querySelector('input[aria-label="Search spans"]');
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        return {
          act: () => {
            setter.call(input, ${JSON.stringify(q)});
            input.dispatchEvent(new Event('input', { bubbles: true }));
            input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
          },
          done: () => (document.querySelector('[data-testid="search-count"]')?.textContent ?? '').includes('match'),
        };
      }`)(),
    );
  results.searchAttrMs = await search('layer.index=4242');
  await page.evaluate(() => {
    const input = document.querySelector('input[aria-label="Search spans"]');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  });
  await page.waitForTimeout(300);
  results.searchTextMs = await search('process.exec');
  results.searchMs = Math.max(results.searchAttrMs, results.searchTextMs);
  results.searchMatches = await page.evaluate(
    () => document.querySelector('[data-testid="search-count"]')?.textContent,
  );
  await page.waitForTimeout(300);

  results.criticalPathMs = await timeAction(() => ({
    act: () => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Critical path').click(),
    done: () => !!document.querySelector('.span-bar-critical'),
  }));

  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(300);
  const heap = await cdp.send('Runtime.getHeapUsage');
  results.heapMB = heap.usedSize / 2 ** 20;
  results.heapTotalMB = heap.totalSize / 2 ** 20;
} finally {
  await browser.close();
  await server.close();
}

const targets = {
  firstRowsMs: 1500,
  scrollP95FrameMs: 16.7,
  blankFrames: 0,
  heapMB: 300,
  expandAllMs: 100,
  spanDetailMs: 50,
  searchMs: 200,
};
const base = results.jsonParseMs;
if (asJson) {
  console.log(JSON.stringify({ ...results, targets }, null, 2));
} else {
  const row = (label, key, unit = 'ms') => {
    const v = results[key];
    const t = targets[key];
    // rAF intervals at 60 Hz jitter around 16.67 ms by a few tenths; a frame on every vsync is on target.
    const slack = key === 'scrollP95FrameMs' ? 0.5 : 0;
    const ok = t === undefined ? '' : v <= t + slack ? 'ok  ' : 'MISS';
    const ratio = unit === 'ms' ? `${(v / base).toFixed(2)}× JSON.parse` : '';
    console.log(
      `${ok.padEnd(5)}${label.padEnd(28)}${`${v.toFixed(unit === 'frames' ? 0 : 1)} ${unit}`.padStart(14)}  ${ratio.padEnd(20)}${t !== undefined ? `target ≤ ${t} ${unit}` : ''}`,
    );
  };
  console.log(`\nbaseline: JSON.parse of the ${results.spans.toLocaleString()}-span OTLP file: ${base.toFixed(1)} ms`);
  row('first rows', 'firstRowsMs');
  row('scroll p95 frame', 'scrollP95FrameMs');
  row('scroll p50 frame', 'scrollP50FrameMs');
  row('scroll p95 render (JS)', 'scrollP95RenderMs');
  row('frames that missed vsync', 'scrollMissedFrames', 'frames');
  row('blank frames', 'blankFrames', 'frames');
  console.log(
    `     (median of 3 passes of ${results.scrollFrames} frames end to end; passes p95/missed/blank: ${results.scrollPasses
      .map((p) => `${p.p95.toFixed(1)}/${p.missed}/${p.blank}`)
      .join(', ')}; load average ${results.loadAverage.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  for (const b of results.blankSamples) console.log(`     blank frame: ${JSON.stringify(b)}`);
  row('JS heap after GC', 'heapMB', 'MB');
  row('expand all', 'expandAllMs');
  row('span detail', 'spanDetailMs');
  row('search (attribute)', 'searchAttrMs');
  row('search (text)', 'searchTextMs');
  console.log(`     (${results.searchMatches})`);
  row('search (slower)', 'searchMs');
  row('critical path', 'criticalPathMs');
}
