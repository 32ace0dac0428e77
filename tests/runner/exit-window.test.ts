/**
 * The exit-at-once window without the daemon scales with the engine's own start time
 * (electron/core/runner/launch-steps.ts; docs/CONTRACTS.md, BOXSCOPE_EXIT_GRACE_MS): shorter than
 * the old fixed 250 ms, yet every box whose process dies at once is still reported `exited`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitGrace } from '../../electron/core/runner/launch-steps.js';
import { buildCli, buildImage, removeBoxesOfHome, runCli, tempHome, type TempHome } from '../fixtures/index.js';

const EXIT_IMAGE = 'boxscope-test/fault-exit:1';
let h: TempHome;

describe('the window', () => {
  it('is half the start call, 50 to 250 ms, unless BOXSCOPE_EXIT_GRACE_MS sets it', () => {
    expect(exitGrace({}, 160)).toBe(80);
    expect(exitGrace({}, 20)).toBe(50);
    expect(exitGrace({}, 2000)).toBe(250);
    expect(exitGrace({ BOXSCOPE_EXIT_GRACE_MS: '0' }, 160)).toBe(0);
    expect(exitGrace({ BOXSCOPE_EXIT_GRACE_MS: '400' }, 160)).toBe(400);
    expect(exitGrace({ BOXSCOPE_EXIT_GRACE_MS: 'soon' }, 160)).toBe(80);
  });
});

describe('launches of a box that exits at once, without the daemon', () => {
  beforeAll(async () => {
    await buildCli();
    await buildImage(EXIT_IMAGE, { exitCode: 3 });
    h = tempHome();
  }, 300_000);

  afterAll(async () => {
    if (h) {
      await removeBoxesOfHome(h.home);
      h.cleanup();
    }
  });

  // Each a fresh CLI process on the default window: a window shorter than the engine's report
  // (e.g. BOXSCOPE_EXIT_GRACE_MS=5) calls some of them running.
  it('are each reported exited with code 3, never running', async () => {
    const verdicts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await runCli(['launch', EXIT_IMAGE, '--no-daemon', '--json'], { env: h.env, timeoutMs: 30_000 });
      verdicts.push(r.code !== 0 && /exited at once with code 3/.test(r.stderr) ? 'exited' : `running: ${r.stdout}`);
    }
    expect(verdicts).toEqual(Array(8).fill('exited'));
  }, 180_000);
});
