/** Journey 15: a box's inspect tab (reserved env marked, the token never on the page) and its live stats. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { shots } from '../fixtures/shots.js';
import { buildImage, docker, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, launchedBox, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const SHOTS = process.env.BOXSCOPE_SHOTS_DIR;
const IMAGE = `boxscope-e2e/cpu-burner:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE, { cmd: ['sh', '-c', 'while :; do :; done'] });
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('inspect marks what Boxscope set and never shows the token; stats rise while the box burns CPU', async ({
  app,
}) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('burn');
  await launch(page, IMAGE, { name });
  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running');
  const [c] = await docker.listContainers({ filters: { label: [`boxlite.box.id=${boxId}`] } });
  const raw = await docker.getContainer(c.Id).inspect();
  const headers = raw.Config.Env.find((e) => e.startsWith('OTEL_EXPORTER_OTLP_HEADERS='))!;
  const token = headers.slice(headers.lastIndexOf('=') + 1);
  expect(token).toMatch(/^[0-9a-f]{48}$/);
  const traceparent = raw.Config.Env.find((e) => e.startsWith('BOXLITE_TRACEPARENT='))!.split('=')[1];

  await page.getByRole('tab', { name: 'Inspect' }).click();
  const inspect = page.locator(tid(TEST_ID.boxInspect));
  const tpRow = inspect.locator('tr', { hasText: 'BOXLITE_TRACEPARENT' });
  await expect(tpRow).toContainText(traceparent);
  await expect(tpRow).toContainText('set by Boxscope');
  const headersRow = inspect.locator('tr', { hasText: 'OTEL_EXPORTER_OTLP_HEADERS' });
  await expect(headersRow).toContainText('hidden');
  await expect(inspect).toContainText('/.boxlite/run');
  // The span the traceparent names links to its trace, with that span selected.
  const [, traceId, spanId] = traceparent.split('-');
  const link = inspect.getByRole('link', { name: spanId });
  await expect(link).toHaveAttribute('href', `#/traces/${traceId}?span=${spanId}`);
  expect(await page.content()).not.toContain(token);
  await shots(page, 'inside-inspect');
  await link.click();
  await expect(page.locator(tid(TEST_ID.traceTimeline))).toBeVisible({ timeout: 15_000 });
  const selected = page.locator(`${tid(TEST_ID.spanRow)}[aria-selected="true"]`);
  await expect(selected).toHaveCount(1, { timeout: 15_000 });
  await expect(selected).toHaveAttribute('data-span-id', spanId);
  await expect(selected).toBeInViewport();
  const detail = page.locator(tid(TEST_ID.spanDetail));
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(spanId);
  await go(page, `/boxes/${boxId}`);

  await page.getByRole('tab', { name: 'Stats' }).click();
  const cpu = page.locator(`${tid(TEST_ID.boxStats)} [data-metric="cpu"]`);
  await expect
    .poll(async () => parseFloat((await cpu.textContent()) ?? '') || 0, { timeout: 20_000 })
    .toBeGreaterThan(20);
  await expect(page.locator(`${tid(TEST_ID.boxStats)} [data-metric="memory"]`)).toContainText(/[KMG]iB/);
  if (SHOTS) {
    await page.waitForTimeout(3000);
    await shots(page, 'inside-stats');
  }

  // The list's column shows the same box busy.
  await go(page, '/boxes');
  await expect(boxRow(page, name)).toContainText(/\d+(\.\d)?%\s*[\d.]+ [KMG]iB/, { timeout: 10_000 });
  await shots(page, 'inside-list');
  expect(await page.content()).not.toContain(token);
  await boxRow(page, name).locator(tid(TEST_ID.boxRemove)).click();
  await boxRow(page, name)
    .locator(tid(TEST_ID.boxRemoveConfirm))
    .getByRole('button', { name: /Remove/ })
    .click();
  await expect(boxRow(page, name)).toHaveCount(0, { timeout: 30_000 });
  expect(crashes).toEqual([]);
});
