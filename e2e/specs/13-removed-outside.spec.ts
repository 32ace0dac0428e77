/** Journey 13: a box removed outside Boxscope (docker rm -f) stays listed with its trace until removed in the app. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { shots } from '../fixtures/shots.js';
import { buildImage, docker, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, launchedBox, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/long-running:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('a box removed outside is marked so, keeps its trace, and Remove forgets it', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('gone');
  await launch(page, IMAGE, { name });
  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 60_000 });

  const [c] = await docker.listContainers({ all: true, filters: { label: [`boxlite.box.id=${boxId}`] } });
  await docker.getContainer(c!.Id).remove({ force: true });

  await expect(header).toHaveAttribute('data-state', 'removed-outside', { timeout: 30_000 });
  await expect(header.locator('.state')).toHaveText('removed outside Boxscope');
  await expect(page.getByRole('status')).toContainText('Removed outside Boxscope.');
  await expect(header.locator(tid(TEST_ID.boxStart))).toHaveCount(0);
  await shots(page, 'life-removed-outside');

  // Listed too, and the launch trace still opens.
  await go(page, '/boxes');
  const row = boxRow(page, name);
  await expect(row).toHaveAttribute('data-state', 'removed-outside');
  await row.getByRole('link', { name: 'Trace' }).click();
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  await expect(page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="container.start"]`)).toBeVisible();

  // Remove (confirmed) forgets it, for good: a reload does not bring it back.
  await go(page, '/boxes');
  await row.locator(tid(TEST_ID.boxRemove)).click();
  const confirm = row.locator(tid(TEST_ID.boxRemoveConfirm));
  await expect(confirm).toContainText(`Forget ${name}?`);
  await shots(page, 'life-confirm-remove');
  await confirm.getByRole('button', { name: 'Forget' }).click();
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  await page.reload();
  // This app's only box is gone: the list, read again from the engine and the records, is empty.
  await expect(page.getByText('No boxes yet')).toBeVisible({ timeout: 15_000 });
  await expect(boxRow(page, name)).toHaveCount(0);
  expect(crashes).toEqual([]);
});
