/* global performance, setTimeout, requestAnimationFrame, queueMicrotask, KeyboardEvent -- functions passed to page.evaluate run in the page */
// What a user does with an open timeline, measured in the page: scrolling end to end (frame times
// and frames with missing rows), expand all, a span detail, search and the critical path.
import os from 'node:os';

export async function measureOpenTimeline(page, { spans }) {
  const results = {};
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

  // One user action, timed from the input to the first paint after the DOM shows its effect; one that
  // shows nothing within 20 s is reported as such (null, and `timedOut`), not as a failed run.
  results.timedOut = [];
  const timeAction = (body, name = 'action') =>
    timeActionOnce(body).catch((err) => {
      if (!/action timed out/.test(String(err?.message))) throw err;
      results.timedOut.push(name);
      return null;
    });
  const timeActionOnce = (body) =>
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

  // Expanded means every span has its row; a fixed row count would never be reached by small traces.
  await page.evaluate((n) => {
    window.__benchSpans = n;
    document.querySelector('.span-list').scrollTo(0, 0);
  }, spans);
  await page.click('button:has-text("Collapse all")');
  await page.waitForTimeout(300);
  results.expandAllMs = await timeAction(() => ({
    act: () => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Expand all').click(),
    done: () => Number(document.querySelector('.span-list').getAttribute('aria-rowcount')) >= window.__benchSpans,
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

  const search = (q, name) =>
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
      name,
    );
  results.searchAttrMs = await search('layer.index=4242', 'search (attribute)');
  await page.evaluate(() => {
    const input = document.querySelector('input[aria-label="Search spans"]');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  });
  await page.waitForTimeout(300);
  results.searchTextMs = await search('process.exec', 'search (text)');
  results.searchMs =
    results.searchAttrMs === null || results.searchTextMs === null
      ? null
      : Math.max(results.searchAttrMs, results.searchTextMs);
  results.searchMatches = await page.evaluate(
    () => document.querySelector('[data-testid="search-count"]')?.textContent,
  );
  await page.waitForTimeout(300);

  results.criticalPathMs = await timeAction(() => ({
    act: () => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Critical path').click(),
    done: () => !!document.querySelector('.span-bar-critical'),
  }));

  return results;
}
