/**
 * Journey 11: launch with a command override and a bind mount of a host
 * directory, and read the host file's content in the box's logs; a relative
 * host path is refused inline (Launch disabled); "Run again" prefills the
 * form from the launch. Screenshots of the form go to /work/notes/shots when
 * BOXSCOPE_SHOTS names a directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, docker, removeImage, requireEngine } from '../fixtures/stack.js';
import { boxName, go, launchedBox, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/launch-options:${Date.now().toString(36)}`;
let hostDir: string;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-e2e-bind-'));
  fs.chmodSync(hostDir, 0o755);
  fs.writeFileSync(path.join(hostDir, 'note.txt'), 'a note from the host machine\n');
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
  if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true });
});

test('a command override and a bind mount: the box prints the host file', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  const name = boxName('opts');
  await go(page, '/launch');
  const submit = page.locator(tid(TEST_ID.launchSubmit));
  await page.locator(tid(TEST_ID.launchImage)).fill(IMAGE);
  await page.getByLabel('Name').fill(name);

  // A relative host path: the shared rule says so under the field, and Launch is disabled.
  const mounts = page.locator(tid(TEST_ID.launchMounts));
  await mounts.fill('./data:/data');
  await expect(mounts).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Host path "./data" must be absolute (start with /)')).toBeVisible();
  await expect(submit).toBeDisabled();
  // A host path that does not exist: the core says so (boxes:validate), still disabled.
  await mounts.fill('/no/such/boxscope-e2e-dir:/data');
  await expect(page.getByText('Host path /no/such/boxscope-e2e-dir does not exist on this machine')).toBeVisible();
  await expect(submit).toBeDisabled();

  await mounts.fill(`${hostDir}:/data:ro`);
  await page.locator(tid(TEST_ID.launchCommand)).fill(`sh -c 'echo "box says: $(cat /data/note.txt)"; sleep 3600'`);
  await expect(mounts).toHaveAttribute('aria-invalid', 'false');
  await expect(submit).toBeEnabled();
  await submit.click();

  const { boxId, header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Logs' }).click();
  await expect(page.getByLabel('Box logs')).toContainText('box says: a note from the host machine');
  const [c] = await docker.listContainers({ all: true, filters: { label: [`boxlite.box.id=${boxId}`] } });
  expect(c.Names).toEqual([`/${name}`]);
  expect(c.Mounts.find((m) => m.Destination === '/data')).toMatchObject({ Source: hostDir, RW: false });

  // Run again: the form comes back with this launch's options.
  await page.getByRole('link', { name: 'Run again' }).click();
  await expect(page).toHaveURL(new RegExp(`#/launch\\?from=${boxId}$`));
  await expect(page.locator(tid(TEST_ID.launchImage))).toHaveValue(IMAGE);
  await expect(mounts).toHaveValue(`${hostDir}:/data:ro`);
  await expect(page.locator(tid(TEST_ID.launchCommand))).toHaveValue(
    `sh -c 'echo "box says: $(cat /data/note.txt)"; sleep 3600'`,
  );
  await expect(page.getByTestId('launch-prefilled')).toContainText(name);

  const shots = process.env.BOXSCOPE_SHOTS;
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    await page.locator('details.advanced > summary').click();
    await page.locator(tid(TEST_ID.launchWorkdir)).fill('/data');
    const shoot = async (file: string, width: number, theme: string) => {
      await page.setViewportSize({ width, height: 1000 });
      await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
      await page.screenshot({ path: path.join(shots, file), fullPage: true });
    };
    for (const width of [1024, 1440])
      for (const theme of ['light', 'dark']) await shoot(`launch-${theme}-${width}.png`, width, theme);
    await page.locator(tid(TEST_ID.launchWorkdir)).fill('data');
    await page.locator(tid(TEST_ID.launchPorts)).fill('8080:80');
    await mounts.fill('./data:/data');
    await expect(page.getByText('Host path "./data" must be absolute (start with /)')).toBeVisible();
    for (const theme of ['light', 'dark']) await shoot(`launch-problems-${theme}-1024.png`, 1024, theme);
    // The box page, with its Run again beside the other actions.
    await go(page, `/boxes/${boxId}`);
    await expect(page.getByRole('link', { name: 'Run again' })).toBeVisible();
    for (const theme of ['light', 'dark']) await shoot(`launch-box-page-${theme}-1024.png`, 1024, theme);
  }
  expect(crashes).toEqual([]);
});
