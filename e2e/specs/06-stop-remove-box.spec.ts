/** Journey 6: stop and remove a box; its launch trace stays. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, docker, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, launchedBox, shownTraceId, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/long-running:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('a stopped and removed box leaves its trace behind', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('stop-rm');
  await launch(page, IMAGE, { name });
  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running');
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  const traceId = await shownTraceId(page);
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);

  await go(page, '/boxes');
  const row = boxRow(page, name);
  await row.getByRole('button', { name: 'Stop' }).click();
  await expect(row).toHaveAttribute('data-state', /^(stopped|exited)$/, { timeout: 30_000 });
  await row.locator(tid(TEST_ID.boxRemove)).click();
  // Remove asks first; Enter confirms.
  await expect(row.locator(tid(TEST_ID.boxRemoveConfirm))).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  const left = await docker.listContainers({ all: true, filters: { label: [`boxlite.box.id=${boxId}`] } });
  expect(left).toEqual([]);

  // The trace is still listed and opens.
  await go(page, '/traces');
  const traceRow = page.locator(`tr[data-trace-id="${traceId}"]`);
  await expect(traceRow).toBeVisible();
  // It still names the removed box and its image.
  await expect(traceRow).toContainText(name);
  await expect(traceRow).toContainText(IMAGE);
  await traceRow.getByRole('link').click();
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  await expect(page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="box.create"]`)).toBeVisible();
  await expect(page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="container.start"]`)).toBeVisible();
  expect(crashes).toEqual([]);
});
