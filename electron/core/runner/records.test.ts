import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Box } from '../../../shared/models.js';
import { boxState, KILLED_OUTSIDE_REASON } from './box-state.js';
import { BoxRecords } from './records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const box = (i: number): Box => ({
  boxId: `bx-${i}`,
  name: `b${i}`,
  image: 'img:1',
  traceId: i.toString(16).padStart(32, '0'),
  containerId: `c${i}`,
  state: 'running',
  createdAt: i,
  daemon: false,
});

describe('box records', () => {
  it("writes a launch's orphan record and its first note together", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-records-'));
    dirs.push(home);
    const r = new BoxRecords(home);
    r.addOrphan({ ...box(1), state: 'creating' }, { launchPid: 42, parentSpanId: 'ab'.repeat(8) });
    const again = new BoxRecords(home);
    expect(again.orphans().map((b) => b.boxId)).toEqual(['bx-1']);
    expect(again.notes()['bx-1']).toEqual({ launchPid: 42, parentSpanId: 'ab'.repeat(8) });
  });

  it('keeps the name and image of every box launched here after it is forgotten, at most 1000', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-records-'));
    dirs.push(home);
    const r = new BoxRecords(home);
    for (let i = 0; i < 1003; i++) r.addOrphan({ ...box(i), state: 'creating' });
    r.forget('bx-1002');
    const names = r.names();
    expect(names['bx-1002']).toEqual({ name: 'b1002', image: 'img:1' });
    expect(Object.keys(names)).toHaveLength(1000);
    expect(names['bx-2']).toBeUndefined();
    expect(names['bx-3']).toEqual({ name: 'b3', image: 'img:1' });
  });

  it('remembers the boxes launched here, at most 200, until forgotten', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-records-'));
    dirs.push(home);
    const r = new BoxRecords(home);
    for (let i = 0; i < 205; i++) r.dropOrphan(`bx-${i}`, box(i));
    const kept = r.launched();
    expect(kept).toHaveLength(200);
    expect(kept[0]!.boxId).toBe('bx-5');
    expect(kept.at(-1)).toMatchObject({ boxId: 'bx-204', traceId: box(204).traceId, containerId: 'c204' });
    r.forget('bx-204');
    expect(new BoxRecords(home).launched().map((b) => b.boxId)).not.toContain('bx-204');
  });
});

describe('box state', () => {
  it('reads a SIGKILL with no stop asked here as killed outside, and a stop asked here as stopped', () => {
    expect(boxState({ status: 'exited', exitCode: 137 }, {})).toEqual({
      state: 'exited',
      exitCode: 137,
      reason: KILLED_OUTSIDE_REASON,
      killedOutside: true,
    });
    expect(boxState({ status: 'exited', exitCode: 137 }, { stoppedByUser: true })).toEqual({
      state: 'stopped',
      exitCode: 137,
    });
    expect(boxState({ status: 'exited', exitCode: 1 }, {})).toEqual({ state: 'exited', exitCode: 1 });
  });
});

describe('box records that cannot be written', () => {
  it('say so in one line naming the file and what to do, and leave no temp file', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-rec-'));
    dirs.push(home);
    const r = new BoxRecords(home);
    r.addOrphan(box(1));
    const file = fs.readdirSync(home).find((f) => f.endsWith('.json'))!;
    // The records file replaced by a directory: the rename over it fails (EISDIR), as a full disk's write would.
    fs.rmSync(path.join(home, file));
    fs.mkdirSync(path.join(home, file));
    let err: unknown;
    try {
      r.addOrphan(box(2));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((err as Error).message).toContain(`The box records ${path.join(home, file)} cannot be written (EISDIR)`);
    expect((err as Error).message).toContain('BOXSCOPE_HOME');
    expect(fs.readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
