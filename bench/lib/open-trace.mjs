/* global performance, requestAnimationFrame, setTimeout -- functions passed to page.evaluate run in the page */
// Opening a trace as a user does, timed in the page: a file set on the Traces page's input, or a
// deep link to a stored trace; until the first span rows are painted and until the header counts
// every span.

/** Arms a timer in the page that starts at `trigger` ('change' of the file input, or now) and stops at the first painted row. */
async function armFirstRows(page, trigger) {
  await page.evaluate((trigger) => {
    window.__firstRows = undefined;
    const start = () => {
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
    };
    if (trigger === 'change') document.addEventListener('change', start, { capture: true, once: true });
    else start();
  }, trigger);
}

async function waitOpen(page, spans) {
  const first = await page.waitForFunction(() => window.__firstRows, null, { timeout: 600_000, polling: 50 });
  const fr = await first.jsonValue();
  if (typeof fr !== 'number') throw new Error(`the trace did not open: ${JSON.stringify(fr)}`);
  // Every span in the model (the header counts them) — the whole trace, not only the first batch.
  await page.waitForFunction(
    (n) => (document.querySelector('.trace-header')?.textContent ?? '').replace(/[,\s]/g, '').includes(`${n}spans`),
    spans,
    { timeout: 600_000, polling: 100 },
  );
  const all = await page.evaluate(() => performance.now() - window.__t0);
  return { firstRowsMs: fr, allSpansMs: all };
}

/** The Traces page is open: choose `file` on its input. */
export async function openFile(page, file, spans) {
  await page.waitForSelector('input[aria-label="Open a trace file"]', { state: 'attached' });
  await armFirstRows(page, 'change');
  await page.setInputFiles('input[aria-label="Open a trace file"]', file);
  return waitOpen(page, spans);
}

/** A fresh page of `url` on a stored trace's deep link (what a restart and a click on the list does). */
export async function openStored(page, url, traceId, spans) {
  await page.goto(url + '#/traces');
  await page.waitForSelector('input[aria-label="Open a trace file"]', { state: 'attached' });
  await armFirstRows(page, 'now');
  await page.evaluate((id) => (window.location.hash = `#/traces/${id}`), traceId);
  return waitOpen(page, spans);
}
