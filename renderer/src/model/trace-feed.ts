import { decodeColumns, type ColumnBatch } from '../../../shared/trace-columns.js';
import { LiveModel } from './trace-append.js';
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
/** An append waits as long as the last update cost the page, so updates take at most half its time. */
const APPEND_FACTOR = 1;

/**
 * A trace arriving as column batches, and when to build its model. While the
 * store's spans stream in, a whole build (O(size)) runs when the pending
 * spans are at least as many as the model holds (sizes double: total work
 * stays within twice the final build) or, for small appends, after a short
 * wait that grows with the build time. Once the stored spans are in, smaller
 * batches are appended to the model in place (trace-append.ts: the cost is
 * the new spans and the rows after the first one that moves) and are due
 * after what the last update cost the page (at once for a cheap one), so
 * that a large model's updates never take more than half the page's time; the view shows them at its next animation frame. An append that
 * cannot be placed falls back to a whole build.
 */
export class TraceFeed {
  private readonly batches: ColumnBatch[] = [];
  /** Batches since the last build. */
  private pending: ColumnBatch[] = [];
  private live: LiveModel | null = null;
  private model: TraceModel | null = null;
  /** How the last build went: 'whole' (from every batch) or 'append' (the new spans into the model). */
  lastBuild: 'whole' | 'append' | undefined;
  private pendingRows = 0;
  private pendingSince = -1;
  private builtSize = -1;
  private lastBuildMs = 0;
  /** What the last update cost the page (build and view), as the view reports it. */
  private lastUpdateMs = 0;
  private dirty = false;
  private urgent = false;
  readonly status: FeedStatus = { received: 0, storedDone: false };

  /** Adds one stream item; returns whether it was a live batch (spans that arrived after the stored ones). */
  add(item: ArrayBuffer | Uint8Array | ColumnBatch, now: number): boolean {
    const b = 'baseNsBig' in item ? item : decodeColumns(item);
    if (b.count) {
      this.batches.push(b);
      this.pending.push(b);
    }
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
    if (this.status.storedDone) return Math.max(0, this.pendingSince + APPEND_FACTOR * this.lastUpdateMs - now);
    const wait = Math.max(MIN_DELAY_MS, BUILD_FACTOR * this.lastBuildMs);
    return Math.max(0, this.pendingSince + wait - now);
  }

  /** What the last update cost the page, build and view together (paces the appends that follow). */
  spent(ms: number): void {
    this.lastUpdateMs = ms;
  }

  /** The model of everything received so far. */
  build(now: () => number = () => performance.now()): TraceModel {
    const t0 = now();
    let model: TraceModel | undefined;
    if (this.model && this.status.storedDone && this.pendingRows < this.builtSize) {
      this.live ??= new LiveModel(this.model);
      if (this.live.append(this.pending)) model = this.live.model();
      else this.live = null;
    }
    this.lastBuild = model ? 'append' : 'whole';
    if (!model) {
      this.live = null;
      model = buildTraceModel(this.batches);
    }
    this.model = model;
    this.pending = [];
    this.lastBuildMs = now() - t0;
    this.builtSize = model.size;
    this.pendingRows = 0;
    this.pendingSince = -1;
    this.dirty = false;
    this.urgent = false;
    return model;
  }
}
