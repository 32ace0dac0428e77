/**
 * `npm run soak`: issue 10's proof at full size, one row per family written to
 * .tmp/soak/rows/ (scripts/soak.mjs prints them as one table). Sizes can be
 * lowered for a quick look with SOAK_OTLP, SOAK_WIRE, SOAK_LAUNCHES, SOAK_FAULT_RUNS.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  buildImage,
  daemonDir,
  pushImage,
  removeBoxesOfHome,
  startRegistry,
  tempHome,
  type TempHome,
  type TestRegistry,
} from '../fixtures/index.js';
import { engineCuts, killedLaunches } from './engine-faults.js';
import { fullDataDir } from './full-disk.js';
import { concurrentLaunches } from './launches.js';
import { launchForToken, otlpFuzz, type BoxChannel } from './otlp-fuzz.js';
import { soakSeed } from './rng.js';
import { startServe, WireConn, type Serve } from './serve.js';
import { writeRow, type SoakRow } from './table.js';
import { wireFuzz } from './wire-fuzz.js';

const IMAGE = 'boxscope-test/soak-box:1';
const size = (name: string, full: number) => Number(process.env[name]) || full;
const seed = soakSeed();

/** Writes the row, then fails the test with the first failures (the row stays in the table either way). */
function record(row: SoakRow & { failures: string[] }): void {
  const { failures, ...rest } = row as SoakRow & { failures: string[]; boxIds?: string[] };
  delete (rest as { boxIds?: unknown }).boxIds;
  writeRow(rest);
  expect(failures.slice(0, 10)).toEqual([]);
  expect(row.ok).toBe(true);
}

let h: TempHome;
beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  h = tempHome();
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
});
afterAll(async () => {
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

/** Each family gets its own `boxscope serve`, so its peak RSS is its own. */
async function withServe<T>(fn: (serve: Serve, conn: WireConn) => Promise<T>): Promise<T> {
  const serve = await startServe(h.env);
  const conn = await WireConn.open(serve);
  try {
    return await fn(serve, conn);
  } finally {
    conn.close();
    await serve.stop();
    await removeBoxesOfHome(h.home);
  }
}

describe(`soak through a real boxscope serve (seed ${seed}; rerun with SOAK_SEED=${seed})`, () => {
  it('1. hostile OTLP bodies', async () => {
    const row = await withServe(async (serve, conn) => {
      const hostile: BoxChannel = await launchForToken(conn, 1, IMAGE);
      const good: BoxChannel = await launchForToken(conn, 2, IMAGE);
      return otlpFuzz({ serve, conn, hostile, good, seed, count: size('SOAK_OTLP', 5000) });
    });
    record(row);
  });
  it('2. malformed API messages', async () => {
    record(await withServe((serve) => wireFuzz({ serve, seed, count: size('SOAK_WIRE', 5000) })));
  });
  it('3. concurrent launches', async () => {
    const n = size('SOAK_LAUNCHES', 50);
    record(await withServe((serve, conn) => concurrentLaunches({ serve, conn, image: IMAGE, n, idBase: 10_000_000 })));
  });
});

describe('engine faults and kills, through the CLI', () => {
  let reg: TestRegistry;
  let big: string;
  beforeAll(async () => {
    reg = await startRegistry({ users: [{ username: 'soak', password: 'soak-pull-secret' }] });
    big = (await pushImage(reg, 'soak/big:1', { layers: 6, layerBytes: 12 * 1024 * 1024 })).ref;
    h.writeDockerConfig({ auths: { [reg.host]: { username: 'soak', password: 'soak-pull-secret' } } });
  });
  afterAll(async () => {
    await reg?.stop();
    await removeBoxesOfHome(h.home);
  });
  const runs = size('SOAK_FAULT_RUNS', 5);

  it('4. engine cut mid-create and mid-pull', async () => {
    record(
      await engineCuts({
        env: h.env,
        runs,
        cases: [
          { what: 'cut at create', image: IMAGE, at: 'create' },
          { what: 'cut mid-pull', image: big, at: 'pull' },
        ],
      }),
    );
  });
  it('5. kill -9 mid-pull and mid-create', async () => {
    record(
      await killedLaunches({
        env: h.env,
        runs,
        cases: [
          { what: 'kill mid-create', image: IMAGE, at: 'create' },
          { what: 'kill mid-pull', image: big, at: 'pull' },
        ],
      }),
    );
  });
});

describe('a full data dir', () => {
  it.skipIf(process.getuid?.() !== 0)('6. full data dir', async () => {
    try {
      record(await fullDataDir({ h, image: IMAGE, rounds: size('SOAK_FULL_ROUNDS', 3) }));
    } finally {
      await removeBoxesOfHome(path.join(h.dir, 'tmpfs-home'));
    }
  });
});
