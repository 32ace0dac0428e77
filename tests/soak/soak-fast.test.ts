/**
 * The fast slice of `npm run soak` (issue 10) inside `npm test`: a few hundred
 * inputs of each fuzz family against a real `boxscope serve`. The full sizes
 * and the engine faults run only under `npm run soak` (scripts/soak.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, buildImage, daemonDir, removeBoxesOfHome, tempHome, type TempHome } from '../fixtures/index.js';
import { launchForToken, otlpFuzz, type BoxChannel } from './otlp-fuzz.js';
import { soakSeed } from './rng.js';
import { startServe, WireConn, type Serve } from './serve.js';
import { wireFuzz } from './wire-fuzz.js';
import { concurrentLaunches } from './launches.js';

export const SOAK_IMAGE = 'boxscope-test/soak-box:1';
const seed = soakSeed();
let h: TempHome;
let serve: Serve;
let conn: WireConn;
let hostile: BoxChannel;
let good: BoxChannel;

beforeAll(async () => {
  await buildCli();
  await buildImage(SOAK_IMAGE);
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
  serve = await startServe(h.env);
  conn = await WireConn.open(serve);
  hostile = await launchForToken(conn, 1, SOAK_IMAGE);
  good = await launchForToken(conn, 2, SOAK_IMAGE);
}, 300_000);

afterAll(async () => {
  conn?.close();
  await serve?.stop();
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

describe(`soak, fast slice (seed ${seed}; rerun with SOAK_SEED=${seed})`, () => {
  it('hostile OTLP bodies with a valid box token: only well-formed OTLP answers, the good box loses nothing', async () => {
    const row = await otlpFuzz({ serve, conn, hostile, good, seed, count: 400 });
    process.stdout.write(`${JSON.stringify({ ...row, failures: row.failures.length })}\n`);
    expect(row.failures.slice(0, 10)).toEqual([]);
    expect(row.spansLost).toBe(0);
    expect(serve.alive()).toBe(true);
  }, 120_000);

  it('malformed API messages over the WebSocket: INVALID_INPUT or a clean close, never INTERNAL', async () => {
    const row = await wireFuzz({ serve, seed, count: 400 });
    expect(row.failures.slice(0, 10)).toEqual([]);
    expect(serve.alive()).toBe(true);
  }, 120_000);
});

describe('soak, fast slice: concurrent launches', () => {
  it('4 launches at once: every box running, every trace complete with the daemon boot', async () => {
    const row = await concurrentLaunches({ serve, conn, image: SOAK_IMAGE, n: 4, idBase: 1_000_000 });
    process.stdout.write(`${JSON.stringify({ ...row, failures: row.failures.length })}\n`);
    expect(row.failures).toEqual([]);
    expect(row.spansLost).toBe(0);
  }, 120_000);
});
