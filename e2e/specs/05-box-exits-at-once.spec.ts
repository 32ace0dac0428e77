/** Journey 5: a box whose process exits at once → exited/failed with its exit code and its logs. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, launchSettled, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/exits-at-once:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE, { exitCode: 3 });
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('a box that exits at once shows its exit code and its logs', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('exits');
  await launch(page, IMAGE, { name });
  await launchSettled(page);
  await go(page, '/boxes');
  const row = boxRow(page, name);
  await expect(
    row,
    'the process exited with code 3 right after start: the box must not stay "running"',
  ).toHaveAttribute('data-state', /^(exited|failed)$/, { timeout: 30_000 });
  await expect(row.locator('.state')).toHaveText(/^(exited|failed) \(3\)$/);

  await row.getByRole('link', { name }).click();
  const header = page.locator(`${tid(TEST_ID.boxRow)}`).first();
  await expect(header).toHaveAttribute('data-state', /^(exited|failed)$/);
  await expect(header.locator('.state')).toHaveText(/^(exited|failed) \(3\)$/);
  // Its launch trace: the failed box.create carries an exception event, drawn as an exception mark on its bar.
  const timeline = page.locator(tid(TEST_ID.traceTimeline));
  await expect(timeline).toBeVisible();
  const create = timeline.locator(`${tid(TEST_ID.spanRow)}[data-span-name="box.create"]`);
  await expect(create).toHaveClass(/is-error/, { timeout: 30_000 });
  await expect(create.locator('.span-event-exception')).toHaveCount(1);
  await expect(create.locator('.span-event-exception')).toHaveAttribute('title', /^exception at \+/);
  await page.getByRole('tab', { name: 'Logs' }).click();
  const logs = page.getByLabel('Box logs');
  await expect(logs).toContainText('about to fail');
  await expect(logs).toContainText('bad config');
  expect(crashes).toEqual([]);
});
