/** Folds the engine's pull stream (one JSON object per line) into per-layer and total progress. Pure. */
import type { LayerProgress } from '../../../shared/models.js';

export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface PullSnapshot {
  layers: LayerProgress[];
  layersDone: number;
  layersTotal: number;
  bytesCurrent: number;
  bytesTotal: number;
  /** From the stream's `Digest: sha256:…` line. */
  digest?: string;
}

const DONE = new Set(['Pull complete', 'Already exists']);
const DOWNLOADED = new Set(['Download complete', 'Verifying Checksum', 'Extracting', 'Pull complete']);

export class PullAggregator {
  private readonly layers = new Map<string, LayerProgress>();
  digest?: string;
  /** Layers whose bytes arrived, as they finish (for one span event per layer). */
  readonly completed: LayerProgress[] = [];

  /** Returns true when the event changed what a caller would show. */
  add(ev: PullEvent): boolean {
    const status = ev.status ?? '';
    if (status.startsWith('Digest: ')) {
      this.digest = status.slice('Digest: '.length).trim();
      return false;
    }
    // Lines about the whole image (`Pulling from x`, `Status: …`) carry the tag as id or none.
    if (!ev.id || status.startsWith('Pulling from') || status.startsWith('Status:')) return false;
    let l = this.layers.get(ev.id);
    if (!l) {
      l = { id: ev.id, status, current: 0, total: 0, done: false };
      this.layers.set(ev.id, l);
    }
    l.status = status;
    const d = ev.progressDetail;
    if (status === 'Downloading' && d) {
      if (typeof d.total === 'number' && d.total > 0) l.total = d.total;
      if (typeof d.current === 'number') l.current = Math.min(d.current, l.total || d.current);
    }
    if (DOWNLOADED.has(status) && l.total > 0) l.current = l.total;
    if (DONE.has(status) && !l.done) {
      l.done = true;
      if (l.total > 0) l.current = l.total;
      this.completed.push({ ...l });
    }
    return true;
  }

  snapshot(): PullSnapshot {
    const layers = [...this.layers.values()].map((l) => ({ ...l }));
    return {
      layers,
      layersDone: layers.filter((l) => l.done).length,
      layersTotal: layers.length,
      bytesCurrent: layers.reduce((s, l) => s + l.current, 0),
      bytesTotal: layers.reduce((s, l) => s + l.total, 0),
      digest: this.digest,
    };
  }
}

/** The first error the stream reported, if any: the engine reports pull failures in-band. */
export function streamError(events: PullEvent[]): string | undefined {
  const e = events.find((x) => x.error || x.errorDetail?.message);
  return e ? (e.errorDetail?.message ?? e.error) : undefined;
}
