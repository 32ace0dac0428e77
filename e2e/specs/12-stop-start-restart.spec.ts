/** Journey 12: stop, start and restart a box in the browser; each start's own trace opens with the daemon's boot. */
import type { Page } from '@playwright/test';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { shots } from '../fixtures/shots.js';
import { buildImage, removeImage, requireEngine } from '../fixtures/stack.js';
import {
  boxName,
  go,
  launch,
  launchedBox,
  launchSettled,
  shownTraceId,
  tid,
  TEST_ID,
  watchCrashes,
} from '../fixtures/ui.js';

skipWhereHostMissing();

const tag = Date.now().toString(36);
const IMAGE = `boxscope-e2e/long-running:${tag}`;
const EXIT_IMAGE = `boxscope-e2e/exits-at-once:${tag}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
  await buildImage(EXIT_IMAGE, { exitCode: 3 });
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
  await removeImage(EXIT_IMAGE).catch(() => {});
});

const span = (page: Page, name: string) => page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="${name}"]`);

test('stop, start and restart a box: each start opens its own trace with a sandbox.boot', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  await launch(page, IMAGE, { name: boxName('life') });
  const { header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(span(page, 'sandbox.boot')).toBeVisible();
  const launchTrace = await shownTraceId(page);
  const traces = page.getByRole('navigation', { name: 'Traces of this box' });

  await header.locator(tid(TEST_ID.boxStop)).click();
  await expect(header).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await expect(header.locator(tid(TEST_ID.boxStop))).toHaveCount(0);

  await header.locator(tid(TEST_ID.boxStart)).click();
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await expect(traces.getByRole('link', { name: 'Start' })).toHaveCount(1);
  await expect(page.getByRole('tab', { name: 'Latest trace' })).toBeVisible();
  await shots(page, 'life-running');

  // The start's trace, opened from the box page: box.start at its root, the daemon's boot inside.
  await traces.getByRole('link', { name: 'Start' }).click();
  await page.waitForURL(/#\/traces\/[0-9a-f]{32}/);
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  await expect(span(page, 'box.start')).toBeVisible();
  await expect(span(page, 'daemon.wait')).toBeVisible();
  await expect(span(page, 'sandbox.boot')).toBeVisible();
  const startTrace = await shownTraceId(page);
  expect(startTrace).toMatch(/^[0-9a-f]{32}$/);
  expect(startTrace).not.toBe(launchTrace);

  await page.goBack();
  await expect(header).toHaveAttribute('data-state', 'running');
  await header.locator(tid(TEST_ID.boxRestart)).click();
  await expect(traces.getByRole('link', { name: 'Start' })).toHaveCount(2, { timeout: 30_000 });
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  // The Latest trace tab shows the restart's trace.
  await expect(span(page, 'box.start')).toBeVisible();
  await expect(span(page, 'container.stop')).toBeVisible();
  await expect(span(page, 'sandbox.boot')).toBeVisible();
  const restartTrace = await shownTraceId(page);
  expect([launchTrace, startTrace]).not.toContain(restartTrace);
  expect(crashes).toEqual([]);
});

test('the box page says an exit at once in words, with its last output', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('exits');
  await launch(page, EXIT_IMAGE, { name });
  await launchSettled(page);
  await go(page, '/boxes');
  await page.getByRole('link', { name, exact: true }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Exited at once' });
  await expect(notice).toContainText('Exited at once with code 3; last output:');
  await expect(notice.locator('pre')).toContainText('bad config');
  await expect(page.locator(tid(TEST_ID.boxStart))).toBeVisible();
  await shots(page, 'life-exited-at-once');
  expect(crashes).toEqual([]);
});
