/** Journey 14: a terminal in a running box — type a command, read its output, ^C interrupts. */
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { buildImage, removeImage, requireEngine } from '../fixtures/stack.js';
import { shots } from '../fixtures/shots.js';
import { boxName, launch, launchedBox, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const IMAGE = `boxscope-e2e/terminal:${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await requireEngine();
  await buildImage(IMAGE);
});
test.afterAll(async () => {
  await removeImage(IMAGE).catch(() => {});
});

test('a terminal runs what is typed and shows its output; Ctrl-C interrupts', async ({ app }) => {
  const page = app.page;
  const crashes = watchCrashes(page);
  await launch(page, IMAGE, { name: boxName('term') });
  const { header } = await launchedBox(page);
  await expect(header).toHaveAttribute('data-state', 'running');

  await page.getByRole('tab', { name: 'Terminal' }).click();
  const term = page.locator(tid(TEST_ID.boxTerminal));
  await expect(term).toBeVisible();
  await expect(page.getByText('/bin/sh')).toBeVisible({ timeout: 15_000 });
  await term.click();

  const marker = `hello-${Math.random().toString(36).slice(2, 10)}`;
  // The shell computes part of the line, so only its output (not the echo of what was typed) holds the whole marker.
  await page.keyboard.type(`echo ${marker}-$((40+2))`);
  await page.keyboard.press('Enter');
  await expect(term).toContainText(`${marker}-42`, { timeout: 15_000 });

  // 24-bit colours from the box are drawn without breaking the CSP (no inline style attribute).
  await page.keyboard.type('echo -e "\\033[38;2;255;0;0mred-$((1+1))\\033[48;2;0;0;200m-on-blue\\033[0m"');
  await page.keyboard.press('Enter');
  await expect(term).toContainText('red-2-on-blue', { timeout: 10_000 });
  await expect(term.locator('span', { hasText: 'red-2' }).first()).toHaveCSS('color', 'rgb(255, 0, 0)');

  await page.keyboard.type('sleep 100; echo not-interrupted');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await page.keyboard.press('Control+c');
  await page.keyboard.type('echo back-$((2+3))');
  await page.keyboard.press('Enter');
  await expect(term).toContainText('back-5', { timeout: 10_000 });
  await expect(term).not.toContainText('not-interrupted-');

  // A paste goes to the shell as typed text (the browser's paste event, as Ctrl-Shift-V gives it).
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'echo pasted-$((3*3))');
    document
      .querySelector('[data-testid="box-terminal"] textarea')!
      .dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.keyboard.press('Enter');
  await expect(term).toContainText('pasted-9', { timeout: 10_000 });
  // Ctrl-Shift-C copies the selection (a double-click selects a word).
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  const pastedRow = term
    .locator('.xterm-rows > div')
    .filter({ hasText: /^\s*pasted-9\s*$/ })
    .first();
  const at = (await pastedRow.boundingBox())!;
  await page.mouse.dblclick(at.x + 12, at.y + at.height / 2);
  await page.keyboard.press('Control+Shift+C');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('pasted-9');
  await term.click();

  // Switching tabs keeps the session.
  await page.getByRole('tab', { name: 'Logs' }).click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await expect(term).toContainText('back-5');

  await shots(page, 'inside-terminal');

  // The box's terminal follows the pane's size (fit addon → boxes:execResize).
  const sizes: number[] = [];
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(300);
    await term.click();
    await page.keyboard.type(`echo size-${width}-$(busybox stty size | busybox sed 's/ /x/')`);
    await page.keyboard.press('Enter');
    await expect(term).toContainText(new RegExp(`size-${width}-\\d+x\\d+`), { timeout: 10_000 });
    const m = new RegExp(`size-${width}-(\\d+)x(\\d+)`).exec((await term.textContent()) ?? '')!;
    sizes.push(Number(m[2]));
  }
  expect(sizes[1]).toBeGreaterThan(sizes[0] + 30);

  await term.click();
  await page.keyboard.type('exit 3');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Session ended (exit code 3)')).toBeVisible({ timeout: 10_000 });
  expect(crashes).toEqual([]);
});
