/** Journey 8: open a 100k-span trace file through the Traces page, search it, jump between errors, collapse and expand. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, ROOT, skipWhereHostMissing, test } from '../fixtures/app.js';
import { go, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
let file: string;

test.beforeAll(() => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-100k-')), 'launch-100k.json');
  execFileSync(process.execPath, [
    path.join(ROOT, 'bench', 'fixtures', 'make-trace.mjs'),
    ...['--spans', '100000', '--errors', '5', '--trace-id', TRACE_ID, '--out', file],
  ]);
});
test.afterAll(() => {
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

test('a 100k-span trace opens, searches, steps through errors and collapses', async ({ app }) => {
  test.setTimeout(180_000);
  const page = app.page;
  const crashes = watchCrashes(page);
  await go(page, '/traces');
  await page.getByLabel('Open a trace file').setInputFiles(file);

  const timeline = page.locator(tid(TEST_ID.traceTimeline));
  await expect(timeline).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(new RegExp(`#/traces/${TRACE_ID}`));
  const rows = timeline.locator(tid(TEST_ID.spanRow));
  // Rows show while the file still streams in; the header counts every span once it is all in.
  await expect
    .poll(async () => ((await page.locator('.trace-header').textContent()) ?? '').replace(/[,\s]/g, ''), {
      timeout: 120_000,
    })
    .toContain('100000spans');
  await expect(rows.first()).toHaveAttribute('data-span-name', 'box.create');
  // Virtualised: thousands of spans, a screenful of rows in the DOM.
  expect(await rows.count()).toBeLessThan(500);

  // Search by name: every layer.pull span matches; stepping selects one and shows its detail.
  const search = page.getByLabel('Search spans');
  await search.fill('layer.pull');
  await search.press('Enter');
  await expect(page.locator(tid('search-count'))).toHaveText(/^1\/\d{5} matches$/);
  const count = Number(/\/(\d+)/.exec((await page.locator(tid('search-count')).textContent()) ?? '')![1]);
  expect(count).toBe(59995);
  await expect(page.locator(tid(TEST_ID.spanDetail))).toContainText('layer.pull');
  await search.fill('no-such-span-anywhere');
  await expect(page.locator(tid('search-count'))).toHaveText('no match');
  await search.press('Escape');

  // Errors: five of them; next/previous walk the list and select an errored span.
  const errors = page.locator('.error-count');
  await expect(errors).toHaveText('5 errors');
  await page.getByTitle('Next error (e)').click();
  await expect(errors).toHaveText('1/5 errors');
  await expect(timeline.locator('.span-row.is-selected.is-error')).toHaveCount(1);
  const first = await timeline.locator('.span-row.is-selected').getAttribute('data-span-id');
  await page.getByTitle('Next error (e)').click();
  await expect(errors).toHaveText('2/5 errors');
  const second = await timeline.locator('.span-row.is-selected').getAttribute('data-span-id');
  expect(second).not.toBe(first);
  await page.getByTitle('Previous error (E)').click();
  await expect(errors).toHaveText('1/5 errors');
  await expect(timeline.locator('.span-row.is-selected')).toHaveAttribute('data-span-id', first!);

  // Collapse all folds every subtree under the root; expand all brings thousands of rows back.
  await page.getByRole('button', { name: 'Collapse all' }).click();
  await expect.poll(() => rows.count()).toBeLessThanOrEqual(10);
  await expect(timeline.locator(`${tid(TEST_ID.spanRow)}[data-span-name="layer.pull"]`)).toHaveCount(0);
  await expect(timeline.locator(`${tid(TEST_ID.spanRow)}[data-span-name="image.pull"] .span-count`)).toHaveText(
    '59995',
  );
  await page.getByRole('button', { name: 'Expand all' }).click();
  await expect(timeline.locator(`${tid(TEST_ID.spanRow)}[data-span-name="layer.pull"]`).first()).toBeVisible();
  await page.getByRole('button', { name: 'Collapse box.create' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-span-name', 'box.create');
  await page.getByRole('button', { name: 'Expand box.create' }).click();
  await expect.poll(() => rows.count()).toBeGreaterThan(5);

  expect(crashes).toEqual([]);
});
