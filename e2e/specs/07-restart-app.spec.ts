/** Journey 7: restart the app → its boxes and traces are still there. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, launchedBox, shownTraceId, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/survives-restart:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('boxes and traces survive an app restart', async ({ app }) => {
  let page = app.page;
  const name = boxName('restart');
  await launch(page, IMAGE, { name });
  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running');
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  const traceId = await shownTraceId(page);

  page = await app.restart();
  const crashes = watchCrashes(page);

  await go(page, '/boxes');
  const row = boxRow(page, name);
  await expect(row).toHaveAttribute('data-state', 'running');
  await expect(row).toHaveAttribute('data-box-id', boxId);

  await go(page, '/traces');
  await expect(page.locator(`tr[data-trace-id="${traceId}"]`)).toBeVisible();

  // A link to the trace, opened as a fresh page (token in the query, route in the hash), shows it.
  await app.openDeepLink(`/traces/${traceId}`);
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  expect(await shownTraceId(page)).toBe(traceId);

  // A deep link to the box opens its launch trace, spans and all.
  await go(page, `/boxes/${boxId}`);
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible();
  expect(await shownTraceId(page)).toBe(traceId);
  await expect(page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="box.create"]`)).toHaveAttribute(
    'data-service',
    'boxscope-ui',
  );
  expect(crashes).toEqual([]);
});
