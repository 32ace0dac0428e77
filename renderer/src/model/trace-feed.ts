import { decodeColumns, type ColumnBatch } from '../../../shared/trace-columns.js';
import { buildTraceModel, type TraceModel } from './trace-model.js';

export interface FeedStatus {
  /** Spans received so far (duplicates included). */
  received: number;
  /** The store's spans have all arrived (the 'stored' phase is over). */
  storedDone: boolean;
  /** How many the store said it held, once known. */
  storedTotal?: number;
}

/** Shortest wait before a small append is shown, and how many build times a wait lasts at least. */
const MIN_DELAY_MS = 120;
const BUILD_FACTOR = 3;

/**
 * A trace arriving as column batches, and when to rebuild its model. A
 * rebuild costs O(size), so it runs when the pending spans are at least as
 * many as the model holds (sizes double: total work stays within twice the
 * final build) or, for small appends, after a short wait that grows with the
 * build time (rebuilds never take more than a fraction of the time).
 */
export class TraceFeed {
  private readonly batches: ColumnBatch[] = [];
  private pendingRows = 0;
  private pendingSince = -1;
  private builtSize = -1;
  private lastBuildMs = 0;
  private dirty = false;
  private urgent = false;
  readonly status: FeedStatus = { received: 0, storedDone: false };

  /** Adds one stream item; returns whether it was a live batch (spans that arrived after the stored ones). */
  add(item: ArrayBuffer | Uint8Array | ColumnBatch, now: number): boolean {
    const b = 'baseNsBig' in item ? item : decodeColumns(item);
    if (b.count) this.batches.push(b);
    this.status.received += b.count;
    this.pendingRows += b.count;
    if (this.pendingSince < 0) this.pendingSince = now;
    if (b.storedDone && !this.status.storedDone) {
      this.status.storedDone = true;
      this.status.storedTotal = b.storedTotal;
      this.urgent = true;
    }
    this.dirty = this.dirty || b.count > 0 || this.urgent;
    return b.phase === 'live' && b.count > 0;
  }

  /** Milliseconds until the next rebuild is due (0: now), or Infinity when nothing waits. */
  due(now: number): number {
    if (!this.dirty) return Infinity;
    if (this.builtSize < 0 || this.urgent || this.pendingRows >= this.builtSize) return 0;
    const wait = Math.max(MIN_DELAY_MS, BUILD_FACTOR * this.lastBuildMs);
    return Math.max(0, this.pendingSince + wait - now);
  }

  /** The model of everything received so far. */
  build(now: () => number = () => performance.now()): TraceModel {
    const t0 = now();
    const model = buildTraceModel(this.batches);
    this.lastBuildMs = now() - t0;
    this.builtSize = model.size;
    this.pendingRows = 0;
    this.pendingSince = -1;
    this.dirty = false;
    this.urgent = false;
    return model;
  }
}
