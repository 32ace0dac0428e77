/**
 * Journey 16: reading what a box did. Its logs carry each line's time and
 * stream; the Traces list names its box and image and narrows by filters;
 * the timeline's scale reads in round steps; a span that began after its
 * parent ended says who started it.
 */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, go, launch, launchedBox, shownTraceId, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/chatty:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE, {
    cmd: ['sh', '-c', 'echo hello out; echo trouble here >&2; trap "exit 0" TERM; while true; do sleep 1; done'],
  });
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('logs with times and streams, a filtered trace list, round ticks and a "started by" note', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('chatty');
  await launch(page, IMAGE, { name });
  const { header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running');
  const traceId = await shownTraceId(page);

  // Logs: the stderr line is marked as such and every line has the engine's time.
  await page.getByRole('tab', { name: 'Logs' }).click();
  const errLine = page.locator('.log-line', { hasText: 'trouble here' });
  await expect(errLine).toHaveAttribute('data-stream', 'stderr');
  await expect(errLine.locator('.log-time')).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}$/);
  await expect(page.locator('.log-line', { hasText: 'hello out' })).toHaveAttribute('data-stream', 'stdout');
  await page.getByLabel('Search logs').fill('trouble');
  await expect(page.getByText('1 matching lines')).toBeVisible();

  // Traces: the row names the box and its image; the filters narrow the list.
  await go(page, '/traces');
  const filter = page.locator(tid(TEST_ID.traceFilter));
  await expect(filter).toBeVisible();
  const row = page.locator(`tr[data-trace-id="${traceId}"]`);
  await expect(row).toContainText(name);
  await expect(row).toContainText(IMAGE);
  await filter.getByLabel('Filter traces').fill(name);
  await expect(page.locator('tr[data-trace-id]')).toHaveCount(1);
  await filter.getByLabel('With errors').check();
  await expect(row).toHaveCount(0);
  await filter.getByRole('button', { name: 'Clear' }).click();
  await filter.getByLabel('Filter traces').fill(traceId);
  await filter.getByLabel('Filter traces').press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/traces/${traceId}`));

  // The scale reads in round steps (1, 2 or 5 × 10^k of one unit).
  const labels = await page.locator(`${tid(TEST_ID.traceTimeline)} .timeline-header .tick-label`).allTextContents();
  expect(labels.length).toBeGreaterThan(1);
  const ms = labels.map((l) => {
    const m = /^(-?\d+(?:\.\d+)?) (µs|ms|s)$/.exec(l);
    expect(m, l).not.toBeNull();
    return Number(m![1]) * (m![2] === 's' ? 1000 : m![2] === 'µs' ? 0.001 : 1);
  });
  const step = ms[1] - ms[0];
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  expect(
    [1, 2, 5].some((n) => Math.abs(mantissa - n) < 1e-6),
    `step ${step} ms`,
  ).toBe(true);
  for (let k = 1; k < ms.length; k++) expect(Math.abs(ms[k] - ms[k - 1] - step)).toBeLessThan(step * 0.02);

  // The daemon's boot began after container.create ended: the detail says who started it.
  const boot = page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="sandbox.boot"]`);
  if (await boot.count()) {
    await boot.click();
    const detail = page.locator(tid(TEST_ID.spanDetail));
    await expect(detail).toBeVisible();
    const follows = detail.locator('[data-testid="span-follows"]');
    // With the runner's traceparent file the boot lies inside daemon.wait, so there may be nothing to explain.
    if (await follows.count()) await expect(follows).toContainText('after it ended');
  }
  expect(crashes).toEqual([]);
});
