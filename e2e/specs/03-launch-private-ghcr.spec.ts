/**
 * Journey 3: launch a private ghcr.io image with GHCR_USERNAME/GHCR_TOKEN →
 * progress bar → running → one timeline from the UI's click through the
 * runner to the in-box daemon, under the traceId the box was given.
 */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { asGhcr, docker, pushImage, readTree, requireEngine } from '../fixtures/stack.js';
import {
  boxName,
  boxRow,
  go,
  launch,
  launchedBox,
  recordAppearance,
  shownTraceId,
  tid,
  TEST_ID,
  watchCrashes,
} from '../fixtures/ui.js';

skipWhereHostMissing();

const USER = 'octo-qa';
const TOKEN = `ghp_e2e${Date.now().toString(36)}TokenValue`;
let ghcr: Awaited<ReturnType<typeof asGhcr>>;
let image: string;

test.beforeAll(async () => {
  await requireEngine();
  ghcr = await asGhcr([{ username: USER, password: TOKEN }]);
  // A few layers so the pull reports real progress.
  image = (await pushImage(ghcr, 'acme/private-box:1', { layers: 3, layerBytes: 2 * 1024 * 1024 })).ref;
});
test.afterAll(async () => {
  await ghcr?.stop();
});

test('a private ghcr.io image launches and its whole launch is one trace', async ({ openApp }) => {
  const app = await openApp({
    env: { GHCR_USERNAME: USER, GHCR_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: ghcr.nodeExtraCaCerts },
  });
  const page = app.page;
  const crashes = watchCrashes(page);

  // The launcher says which credential it will use: the env pair, by name, never the token.
  await go(page, '/launch');
  await page.locator(tid(TEST_ID.launchImage)).fill(image);
  await expect(page.locator(tid('credential-hint'))).toContainText('GHCR_USERNAME');
  await expect(page.locator(tid('credential-hint'))).toContainText(USER);

  const sawProgress = await recordAppearance(page, tid(TEST_ID.pullProgress), '__sawPull');
  const name = boxName('ghcr-private');
  await launch(page, image, { name });
  // As soon as the box has an id the app shows its page: pull progress, then the live trace.
  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  expect(await sawProgress()).toBe(true);
  await go(page, '/boxes');
  await expect(boxRow(page, name)).toHaveAttribute('data-state', 'running');

  // The box's timeline: UI → runner → daemon spans, stitched under one traceId.
  await go(page, `/boxes/${boxId}`);
  const timeline = page.locator(tid(TEST_ID.traceTimeline));
  await expect(timeline).toBeVisible();
  const span = (name: string) => timeline.locator(`${tid(TEST_ID.spanRow)}[data-span-name="${name}"]`);
  await expect(span('box.create')).toHaveAttribute('data-service', 'boxscope-ui');
  for (const name of ['registry.auth', 'image.pull', 'container.create', 'container.start']) {
    await expect(span(name)).toHaveAttribute('data-service', 'boxscope-runner');
  }
  await expect(span('sandbox.boot')).toHaveAttribute('data-service', 'boxlite-daemon', { timeout: 30_000 });
  const traceId = await shownTraceId(page);
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);

  // The traceId the box was given (docker inspect) is the one on screen.
  const [container] = await docker.listContainers({ all: true, filters: { label: [`boxlite.box.id=${boxId}`] } });
  expect(container, `container of ${boxId}`).toBeTruthy();
  const inspect = await docker.getContainer(container!.Id).inspect();
  const tp = inspect.Config.Env.find((e) => e.startsWith('BOXLITE_TRACEPARENT='));
  expect(tp).toMatch(/^BOXLITE_TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  expect(tp!.split('-')[1]).toBe(traceId);

  // The token reached the registry only: not the box, the page or the log.
  expect(JSON.stringify(inspect)).not.toContain(TOKEN);
  expect(await page.content()).not.toContain(TOKEN);
  expect(app.logs()).not.toContain(TOKEN);
  // Nor the trace store, the logs or anything else the app keeps.
  expect(readTree(app.home)).not.toContain(TOKEN);
  expect(crashes).toEqual([]);
});
