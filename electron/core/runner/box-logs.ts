/** A box's output: the last lines at once, or followed as `logs:chunk` events until the box ends or the caller stops. */
import type Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box } from '../../../shared/models.js';
import type { CoreEvents } from '../contracts.js';
import { followLogStream, tailLogs } from '../docker/engine-api.js';
import { engineError } from '../docker/engine.js';
import { demuxLogs, LogDemuxer } from './logs.js';

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

/** One follow per box: a new follow of the same box ends the previous one. */
export class LogFollows {
  private readonly follows = new Map<string, AbortController>();

  constructor(
    private readonly events: CoreEvents,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Resolves once the stream is open; `done` resolves when following ends (box gone, unfollow, or `signal`). */
  async follow(docker: Docker, box: Box, tail: number, signal?: AbortSignal): Promise<{ done: Promise<void> }> {
    if (!box.containerId)
      throw new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name} has no container (it failed before one was created)`);
    this.follows.get(box.boxId)?.abort();
    const ac = new AbortController();
    this.follows.set(box.boxId, ac);
    const onAbort = () => ac.abort();
    if (signal?.aborted) ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let stream: NodeJS.ReadableStream;
    try {
      stream = await followLogStream(docker.getContainer(box.containerId), { tail, signal: ac.signal });
    } catch (err) {
      signal?.removeEventListener('abort', onAbort);
      if (this.follows.get(box.boxId) === ac) this.follows.delete(box.boxId);
      throw engineError(err, this.env, 'Logs failed');
    }
    const demux = new LogDemuxer();
    const done = new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => {
        for (const f of demux.push(c))
          this.events.emit('logs:chunk', { boxId: box.boxId, stream: f.stream, text: f.text });
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    }).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (this.follows.get(box.boxId) === ac) this.follows.delete(box.boxId);
    });
    return { done };
  }

  stop(boxId: string): void {
    this.follows.get(boxId)?.abort();
    this.follows.delete(boxId);
  }

  close(): void {
    for (const a of this.follows.values()) a.abort();
    this.follows.clear();
  }
}
