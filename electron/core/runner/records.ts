/**
 * What the engine cannot tell after a restart: boxes that failed before a
 * container existed, why a box failed, and which boxes the user stopped
 * (so they read `stopped`, not `exited`). A small JSON file under BOXSCOPE_HOME.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LaunchSpec } from '../../../shared/models.js';

export interface BoxNote {
  reason?: string;
  exitCode?: number;
  stoppedByUser?: boolean;
  /** The process ended during its launch: shown `exited` (with `reason` holding its last lines), not `failed`. */
  exitedAtLaunch?: boolean;
  /** The process running the launch, while it runs: a box whose launcher is gone was interrupted. */
  launchPid?: number;
  /** The span the launch's spans hang from, so an interrupted launch can be marked in its own trace. */
  parentSpanId?: string;
  /** What the box was launched with, for "Run again" after a restart of the app (the file is 0600). */
  spec?: LaunchSpec;
  /** The trace of the box's latest start after its launch (boxes:start / restart); survives an app restart. */
  lastTraceId?: string;
  /** Starts after the launch asked here (boxes:start / restart), with the engine's restarts before each folded in. */
  restartCount?: number;
  /** The engine's own restarts (its restart policy) since the last start asked here: its RestartCount. */
  engineRestarts?: number;
  /** A remove asked here is under way: the container's going is not a removal outside Boxscope. */
  removing?: boolean;
}

interface FileShape {
  version: 1;
  /** Boxes with no container yet (written when a launch starts) or ever (failed before create). */
  orphans: Box[];
  notes: Record<string, BoxNote>;
  /**
   * Every box this data dir launched that got a container, until removed here: a box whose container
   * vanished (`docker rm -f`) is listed from this as `removed-outside`, with its trace.
   */
  launched?: Box[];
  /**
   * Name and image of every box launched here, kept after it is removed (the Traces list still
   * names the box of an old trace); the oldest go first past MAX_NAMED.
   */
  named?: Record<string, { name: string; image: string }>;
}

const MAX_ORPHANS = 200;
/** Bounds `launched`, so the tombstones of boxes removed outside never grow without end. */
const MAX_LAUNCHED = 200;
/** Bounds `named`: about the store's default trace count. */
const MAX_NAMED = 1000;

export class BoxRecords {
  private readonly file: string;
  constructor(home: string) {
    this.file = path.join(home, 'boxes.json');
  }

  private read(): FileShape {
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as FileShape;
      return {
        version: 1,
        orphans: Array.isArray(j.orphans) ? j.orphans : [],
        notes: j.notes ?? {},
        launched: Array.isArray(j.launched) ? j.launched : [],
        named: j.named && typeof j.named === 'object' ? j.named : {},
      };
    } catch {
      return { version: 1, orphans: [], notes: {}, launched: [] };
    }
  }

  private write(d: FileShape): void {
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(d), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      // One line naming the file and what to do (issue 10: a full disk), never a bare ENOSPC.
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new BoxscopeError(
        'STORE_UNAVAILABLE',
        code === 'ENOSPC'
          ? `The disk holding the box records ${this.file} is full: free some space, or set BOXSCOPE_HOME to a data dir on another disk`
          : `The box records ${this.file} cannot be written (${code}): check that the data dir is writable by this user, or set BOXSCOPE_HOME to another data dir`,
        { file: this.file },
      );
    }
  }

  orphans(): Box[] {
    return this.read().orphans;
  }

  notes(): Record<string, BoxNote> {
    return this.read().notes;
  }

  /** `note`: the box's first note, written in the same write (a launch's start costs one file write, not two). */
  addOrphan(box: Box, note?: BoxNote): void {
    const d = this.read();
    if (note) d.notes[box.boxId] = { ...d.notes[box.boxId], ...note };
    d.orphans = [...d.orphans.filter((b) => b.boxId !== box.boxId), box].slice(-MAX_ORPHANS);
    const named = { ...d.named };
    delete named[box.boxId];
    named[box.boxId] = { name: box.name, image: box.image };
    const ids = Object.keys(named);
    for (const id of ids.slice(0, Math.max(0, ids.length - MAX_NAMED))) delete named[id];
    d.named = named;
    this.write(d);
  }

  /** Name and image of boxes launched here, removed or not (see `named`). */
  names(): Record<string, { name: string; image: string }> {
    return this.read().named ?? {};
  }

  note(boxId: string, n: BoxNote): void {
    const d = this.read();
    d.notes[boxId] = { ...d.notes[boxId], ...n };
    this.write(d);
  }

  /** The launch got a container: the engine lists the box from now on (and `launched` remembers it). */
  dropOrphan(boxId: string, box?: Box): void {
    const d = this.read();
    d.orphans = d.orphans.filter((b) => b.boxId !== boxId);
    if (box) {
      const keep: Box = {
        boxId: box.boxId,
        name: box.name,
        image: box.image,
        traceId: box.traceId,
        containerId: box.containerId,
        imageDigest: box.imageDigest,
        createdAt: box.createdAt,
        daemon: box.daemon,
        state: 'removed-outside',
      };
      d.launched = [...(d.launched ?? []).filter((b) => b.boxId !== boxId), keep].slice(-MAX_LAUNCHED);
    }
    this.write(d);
  }

  /** Boxes this data dir launched (with a container) and has not removed. */
  launched(): Box[] {
    return this.read().launched ?? [];
  }

  forget(boxId: string): void {
    const d = this.read();
    d.orphans = d.orphans.filter((b) => b.boxId !== boxId);
    d.launched = (d.launched ?? []).filter((b) => b.boxId !== boxId);
    delete d.notes[boxId];
    this.write(d);
  }
}
