/** A box's output: the last lines at once, or followed until the box ends or the caller stops. */
import type Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LogChunk } from '../../../shared/models.js';
import { followLogStream, tailLogs } from '../docker/engine-api.js';
import { engineError } from '../docker/engine.js';
import { demuxLogs, LogDemuxer, splitStamped } from './logs.js';

export async function readLogs(docker: Docker, box: Box, tail: number, env: NodeJS.ProcessEnv): Promise<string> {
  if (!box.containerId) return box.reason ? `${box.reason}\n` : '';
  try {
    return demuxLogs(await tailLogs(docker.getContainer(box.containerId), tail))
      .map((f) => f.text)
      .join('');
  } catch (err) {
    throw engineError(err, env, 'Logs failed');
  }
}

/**
 * Log follows in flight. Each follower has its own engine stream, so
 * followers never end each other's; closing the runner ends them all.
 */
export class LogFollows {
  private readonly active = new Set<AbortController>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Resolves when following ends: the box is gone, or `opts.signal` aborted. */
  async follow(
    docker: Docker,
    box: Box,
    opts: { tail?: number; timestamps?: boolean; signal: AbortSignal; onChunk: (c: LogChunk) => void },
  ): Promise<void> {
    if (!box.containerId)
      throw new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name} has no container (it failed before one was created)`);
    if (opts.signal.aborted) return;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    this.active.add(ac);
    try {
      let stream: NodeJS.ReadableStream;
      try {
        stream = await followLogStream(docker.getContainer(box.containerId), {
          tail: opts.tail ?? 100,
          timestamps: opts.timestamps,
          signal: ac.signal,
        });
      } catch (err) {
        if (ac.signal.aborted) return;
        throw engineError(err, this.env, 'Logs failed');
      }
      const demux = new LogDemuxer();
      await new Promise<void>((resolve) => {
        stream.on('data', (c: Buffer) => {
          for (const f of demux.push(c)) {
            if (!opts.timestamps) opts.onChunk({ boxId: box.boxId, stream: f.stream, text: f.text });
            else
              for (const p of splitStamped(f.text))
                opts.onChunk({ boxId: box.boxId, stream: f.stream, text: p.text, ...(p.time ? { time: p.time } : {}) });
          }
        });
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', () => resolve());
      });
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      this.active.delete(ac);
    }
  }

  close(): void {
    for (const a of this.active) a.abort();
    this.active.clear();
  }
}
