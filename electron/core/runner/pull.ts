/** Pulls through the engine with one registry's authconfig, streaming progress; cancellable. */
import type Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import { pullStream } from '../docker/engine-api.js';
import { PullAggregator, streamError, type PullEvent, type PullSnapshot } from './progress.js';

export interface PullOptions {
  authconfig?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (s: PullSnapshot) => void;
  onLayerDone?: (layer: { id: string; bytes: number }) => void;
  /** Progress events are coalesced to at most one per interval. */
  intervalMs?: number;
}

export class PullFailed extends Error {}

export async function pullImage(docker: Docker, reference: string, o: PullOptions): Promise<PullSnapshot> {
  const agg = new PullAggregator();
  const interval = o.intervalMs ?? 100;
  let last = 0;
  let seen = 0;
  const cancelled = () => new BoxscopeError('CANCELLED', `Pull of ${reference} cancelled`);
  if (o.signal?.aborted) throw cancelled();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await pullStream(docker, reference, { authconfig: o.authconfig, signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw cancelled();
    throw err;
  }
  const events = await new Promise<PullEvent[]>((resolve, reject) => {
    const onAbort = () => {
      (stream as unknown as { destroy?: (e?: Error) => void }).destroy?.();
      reject(cancelled());
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: PullEvent[]) => {
        o.signal?.removeEventListener('abort', onAbort);
        if (o.signal?.aborted) return reject(cancelled());
        if (err) return reject(err);
        resolve(out);
      },
      (ev: PullEvent) => {
        if (!agg.add(ev)) return;
        while (seen < agg.completed.length) {
          const l = agg.completed[seen++];
          o.onLayerDone?.({ id: l.id, bytes: l.total });
        }
        const now = Date.now();
        if (now - last >= interval) {
          last = now;
          o.onProgress?.(agg.snapshot());
        }
      },
    );
  });
  const msg = streamError(events);
  if (msg) throw new PullFailed(msg);
  const snap = agg.snapshot();
  o.onProgress?.(snap);
  return snap;
}
