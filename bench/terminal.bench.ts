/**
 * The terminal on the user's path: `boxscope serve` as a user starts it, a
 * real Chromium on its page, the box page's Terminal tab (xterm.js over the
 * WebSocket and the core's TTY exec). Two figures, each against the engine's
 * own TTY exec driven straight from this process through dockerode (the floor
 * any client of the engine has), measured in the same run:
 *   - open: Terminal tab clicked → the shell's prompt on screen, vs exec create+start → prompt bytes;
 *   - keystroke: Enter pressed on a typed line → its output on screen, vs '\r' written → the output read.
 * Run: node --import tsx bench/terminal.bench.ts [--runs 20]
 */
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { connectEngine } from '../electron/core/docker/engine.js';
import { buildImage, removeBoxesOfHome, removeImage, ROOT } from '../tests/fixtures/index.js';
import { startServe } from './lib/serve.mjs';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 20);
const OPENS = Math.max(3, Math.round(RUNS / 4));
const IMAGE = 'boxscope-bench/terminal:1';
const CHROMIUM = process.env.BOXSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fmt = (n: number) => `${n.toFixed(1)} ms`;

/** The engine's TTY exec from here: time to the prompt, then per line to its output. */
async function engineSide(containerId: string, runs: number): Promise<{ open: number[]; echo: number[] }> {
  const docker = connectEngine(process.env);
  const open: number[] = [];
  const echo: number[] = [];
  for (let o = 0; o < OPENS; o++) {
    const t0 = performance.now();
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ['/bin/sh'],
      Tty: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    let seen = '';
    const waitFor = (marker: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (seen.includes(marker)) {
            stream.off('data', onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          seen += d.toString('utf8');
          check();
        };
        stream.on('data', onData);
        check();
      });
    await waitFor('# ');
    open.push(performance.now() - t0);
    if (o === 0)
      for (let k = 0; k < runs; k++) {
        const marker = `e${k}x${Date.now().toString(36)}`;
        seen = '';
        stream.write(`echo ${marker}-$((1+1))`);
        await waitFor(`${marker}-$((1+1))`);
        seen = '';
        const t = performance.now();
        stream.write('\r');
        await waitFor(`${marker}-2`);
        echo.push(performance.now() - t);
      }
    stream.end('exit\r');
    stream.destroy();
  }
  return { open, echo };
}

async function main(): Promise<void> {
  await buildImage(IMAGE, { cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] });
  const serve = await startServe();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const launched = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/boxscope.mjs'), 'launch', '--name', 'bench-term', '--no-daemon', IMAGE, '--json'],
      { env: { ...process.env, BOXSCOPE_HOME: serve.home }, encoding: 'utf8' },
    );
    if (launched.status !== 0) throw new Error(`launch failed: ${launched.stderr}`);
    const { boxId, containerId } = JSON.parse(launched.stdout.trim().split('\n').pop()!) as {
      boxId: string;
      containerId: string;
    };

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(serve.url);
    const term = page.locator('[data-testid="box-terminal"]');
    const appOpen: number[] = [];
    const appEcho: number[] = [];
    for (let o = 0; o < OPENS; o++) {
      await page.evaluate((id) => (window.location.hash = `#/boxes/${id}`), boxId);
      await page.getByRole('tab', { name: 'Logs' }).click();
      await page.waitForTimeout(300);
      const t0 = performance.now();
      await page.getByRole('tab', { name: 'Terminal' }).click();
      await page.waitForFunction(
        () => /# /.test(document.querySelector('[data-testid="box-terminal"]')?.textContent ?? ''),
        undefined,
        { polling: 'raf', timeout: 20_000 },
      );
      appOpen.push(performance.now() - t0);
      if (o === 0) {
        await term.click();
        for (let k = 0; k < RUNS; k++) {
          const marker = `a${k}x${Date.now().toString(36)}`;
          await page.keyboard.type(`echo ${marker}-$((1+1))`);
          await page.waitForFunction(
            (m) => (document.querySelector('[data-testid="box-terminal"]')?.textContent ?? '').includes(m),
            `${marker}-$((1+1))`,
            { polling: 'raf', timeout: 20_000 },
          );
          const t = performance.now();
          await page.keyboard.press('Enter');
          await page.waitForFunction(
            (m) => (document.querySelector('[data-testid="box-terminal"]')?.textContent ?? '').includes(m),
            `${marker}-2`,
            { polling: 'raf', timeout: 20_000 },
          );
          appEcho.push(performance.now() - t);
        }
      }
      // Leave the box page, which ends the session (the next open is a new one).
      await page.evaluate(() => (window.location.hash = '#/boxes'));
      await page.waitForTimeout(300);
    }
    const engine = await engineSide(containerId, RUNS);

    const row = (what: string, app: number[], base: number[]) => {
      const a50 = quantile(app, 0.5);
      const b50 = quantile(base, 0.5);
      console.log(
        `${what.padEnd(44)} Boxscope p50 ${fmt(a50)} p95 ${fmt(quantile(app, 0.95))} | engine exec p50 ${fmt(b50)} p95 ${fmt(quantile(base, 0.95))} | ${(a50 / b50).toFixed(2)}×`,
      );
    };
    console.log(`terminal: ${OPENS} opens, ${RUNS} keystrokes each side (Chromium + boxscope serve vs dockerode)`);
    row('open (tab clicked → prompt shown)', appOpen, engine.open);
    row("keystroke (Enter → the line's output shown)", appEcho, engine.echo);
    console.log("(the Boxscope side includes the browser's key event, the WebSocket both ways and drawing)");
    await page.close();
  } finally {
    await browser.close();
    await serve.stop();
    await removeBoxesOfHome(serve.home).catch(() => undefined);
    await removeImage(IMAGE).catch(() => undefined);
  }
}

await main();
