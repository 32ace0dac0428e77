/**
 * Journey 17: a trace kept elsewhere. A cloud runner's trace sits in a real
 * Jaeger (sent there by the OpenTelemetry exporter); the user saves that Jaeger
 * as a named trace source in Settings, picks it on the Traces page, types the
 * trace id, and reads it in the same timeline as local launches.
 */
import { jaegerBinary, sendCloudTrace, startJaeger, type TestJaeger } from '../../tests/fixtures/jaeger.js';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { go, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();
const bin = jaegerBinary();
test.skip(!bin, 'no Jaeger binary (scripts/build-jaeger.sh)');

let jaeger: TestJaeger;
test.beforeAll(async () => {
  jaeger = await startJaeger(bin!);
});
test.afterAll(async () => {
  await jaeger?.stop();
});

test('a trace from a saved Jaeger source opens in the timeline', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const traceId = await sendCloudTrace(jaeger, ['registry.auth', 'image.pull', 'container.start']);

  await go(page, '/settings');
  const settings = page.getByTestId('trace-source-settings');
  await settings.getByLabel('Source name').fill('cloud');
  await settings.getByLabel('Source query URL').fill(jaeger.query);
  await settings.getByRole('button', { name: 'Save source' }).click();
  await expect(settings.getByRole('table', { name: 'Trace sources' })).toContainText(jaeger.query);

  await go(page, '/traces');
  const form = page.getByRole('form', { name: 'Open from a trace source' });
  await expect(form.getByLabel('Trace source')).toHaveValue('cloud');
  await form.getByLabel('Trace id').fill(traceId);
  await form.getByRole('button', { name: 'Open' }).click();
  await expect(page).toHaveURL(new RegExp(`#/traces/${traceId}`));
  const rows = page.locator(`${tid(TEST_ID.traceTimeline)} ${tid(TEST_ID.spanRow)}`);
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toHaveAttribute('data-service', 'cloud-runner');
  await expect(page.locator(`${tid(TEST_ID.spanRow)}[data-span-name="container.start"]`)).toBeVisible();

  // A trace the source lacks: one message that names the source.
  await go(page, '/traces');
  await form.getByLabel('Trace id').fill('ab'.repeat(16));
  await form.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByText(`is not in the trace source cloud (${jaeger.query})`)).toBeVisible();
  expect(crashes).toEqual([]);
});
