// Screenshots of the main screens in light and dark, against the demo fake API.
//   node renderer/scripts/screenshots.mjs [outDir]   (default .tmp/screens)
import fs from 'node:fs';
import path from 'node:path';
import { buildRenderer, harnessScript, launchChromium, repoRoot, serve } from './page-harness.mjs';

const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, '.tmp/screens'));
fs.mkdirSync(outDir, { recursive: true });
if (!process.env.SKIP_BUILD) buildRenderer();
const server = await serve();
const browser = await launchChromium();
const shots = [
  ['launch', '#/launch', 'demo'],
  ['boxes', '#/boxes', 'demo'],
  ['box', '#/boxes/b7f3c2a1', 'demo'],
  ['traces', '#/traces', 'demo'],
  ['trace', '#/traces/4bf92f3577b34da6a3ce929d0e0e4736', 'demo'],
  ['settings', '#/settings', 'demo'],
  ['compare', '#/traces', 'demo'],
  ['help', '#/traces/4bf92f3577b34da6a3ce929d0e0e4736', 'demo'],
  ['search', '#/traces/4bf92f3577b34da6a3ce929d0e0e4736', 'demo'],
  ['no-engine', '#/boxes', 'no-engine'],
  ['settings-empty', '#/settings', 'no-engine'],
];
const only = process.env.ONLY?.split(',');
try {
  for (const theme of ['light', 'dark']) {
    for (const [name, hash, mode] of shots) {
      if (only && !only.includes(name)) continue;
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, colorScheme: theme });
      page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && console.error(`[${name}] console: ${m.text()}`));
      await page.addInitScript({ content: await harnessScript({ mode }) });
      await page.goto(`${server.url}/?token=demo${hash}`);
      await page.waitForTimeout(600);
      if (mode === 'demo') {
        await page.evaluate(() =>
          window.__fake.emit('pull:progress', {
            requestId: 'r1',
            boxId: 'c91d20e4',
            image: 'ghcr.io/acme/worker:edge',
            layers: [
              { id: 'sha256:4f4fb700ef54', status: 'Pull complete', current: 32_654, total: 32_654, done: true },
              { id: 'sha256:a3ed95caeb02', status: 'Downloading', current: 18_400_000, total: 29_100_000, done: false },
              { id: 'sha256:5d20c808ce19', status: 'Downloading', current: 2_100_000, total: 11_800_000, done: false },
              { id: 'sha256:c2a4ed2a1c5e', status: 'Waiting', current: 0, total: 0, done: false },
            ],
            layersDone: 1,
            layersTotal: 4,
            bytesCurrent: 20_532_654,
            bytesTotal: 40_932_654,
            done: false,
          }),
        );
        await page.waitForTimeout(100);
      }
      if (name === 'trace') {
        await page.click('[data-span-name="sandbox.boot"]');
        await page.click('text=Critical path');
        await page.waitForTimeout(200);
      }
      if (name === 'compare') {
        const picks = page.getByLabel('Pick for comparison');
        await picks.nth(0).check();
        await picks.nth(1).check();
        await page.getByRole('button', { name: /Compare/ }).click();
        await page.waitForTimeout(300);
      }
      if (name === 'help') await page.keyboard.press('?');
      if (name === 'search') {
        await page.getByLabel('Search spans').fill('layer');
        await page.getByLabel('Search spans').press('Enter');
        await page.getByLabel(/Filter/).check();
        await page.waitForTimeout(200);
      }
      const file = path.join(outDir, `${name}-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
