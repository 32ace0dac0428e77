/**
 * A trace upload in parts: `POST /api/traces/import?…&upload=<id>&part=<n>&last=0|1&size=<file size>`,
 * each part a slice of the file, all feeding one import. Why: a browser reads
 * a fetch's answer only once its request body is sent, so one big POST would
 * show no progress (and no trace to open) until the whole file is uploaded.
 * With a small first part the page gets its first progress line, with the
 * trace id, as soon as the first batch is stored. A part's answer ends once
 * the import has taken all of its bytes, so the page sends the next part no
 * faster than the store keeps up: nothing piles up in memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImportProgress } from '../../shared/models.js';
import { BoxscopeError, toErrorInfo } from '../../shared/errors.js';
import { importTraceStream } from '../core/traces/import.js';
import type { ImportContext } from './upload.js';

/** Bytes queued ahead of the import before a part's reading waits: smooths the hand-over, bounds memory. */
const QUEUE_BYTES = 4 * 1024 * 1024;

/** Chunks from successive requests to one import; `push` settles once the chunk is queued within bounds. */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  private waiting?: (r: IteratorResult<Uint8Array>) => void;
  private pending: Array<{ chunk: Uint8Array; taken?: () => void }> = [];
  private queued = 0;
  private ended = false;
  private idlers: Array<() => void> = [];

  /** Settles when the import has dealt with every chunk pushed so far (it waits for the next) or stopped. */
  idle(): Promise<void> {
    if (this.waiting || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private wakeIdlers(): void {
    for (const f of this.idlers.splice(0)) f();
  }

  push(chunk: Uint8Array): Promise<void> {
    if (this.ended) return Promise.resolve();
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w({ value: chunk, done: false });
      return Promise.resolve();
    }
    this.queued += chunk.length;
    if (this.queued <= QUEUE_BYTES) {
      this.pending.push({ chunk });
      return Promise.resolve();
    }
    return new Promise((resolve) => this.pending.push({ chunk, taken: resolve }));
  }

  end(): void {
    this.ended = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ value: undefined, done: true });
    this.wakeIdlers();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () =>
        new Promise((resolve) => {
          const p = this.pending.shift();
          if (p) {
            this.queued -= p.chunk.length;
            p.taken?.();
            resolve({ value: p.chunk, done: false });
          } else if (this.ended) resolve({ value: undefined, done: true });
          else {
            this.waiting = resolve;
            this.wakeIdlers();
          }
        }),
      return: async () => {
        this.ended = true;
        for (const p of this.pending.splice(0)) p.taken?.();
        this.queued = 0;
        this.wakeIdlers();
        return { value: undefined, done: true };
      },
    };
  }
}

interface Session {
  queue: ChunkQueue;
  ac: AbortController;
  nextPart: number;
  /** Lines produced while no part's answer was open, sent with the next one. */
  lines: string[];
  write?: (line: string) => void;
  settled: Promise<void>;
  finished: boolean;
  timer?: NodeJS.Timeout;
}

/** How long an upload waits for its next part before it is given up. */
const IDLE_MS = 60_000;

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();

  closeAll(): void {
    for (const s of this.sessions.values()) this.drop(s);
    this.sessions.clear();
  }

  private drop(s: Session): void {
    clearTimeout(s.timer);
    s.ac.abort();
  }

  private start(
    id: string,
    ctx: ImportContext,
    opts: { fileName?: string; totalBytes?: number; maxBytes: number },
  ): Session {
    const s: Session = {
      queue: new ChunkQueue(),
      ac: new AbortController(),
      nextPart: 0,
      lines: [],
      settled: Promise.resolve(),
      finished: false,
    };
    const emit = (v: ImportProgress | { error: unknown }) => {
      const line = JSON.stringify(v) + '\n';
      if (s.write) s.write(line);
      else s.lines.push(line);
    };
    s.ac.signal.addEventListener('abort', () => s.queue.end(), { once: true });
    s.settled = importTraceStream(ctx, s.queue, { ...opts, signal: s.ac.signal, onProgress: emit })
      .then(
        () => {},
        (err) => {
          if (!s.ac.signal.aborted) emit({ error: toErrorInfo(err) });
        },
      )
      .finally(() => {
        s.finished = true;
        // Ended between parts: its last lines wait for the next part a while.
        if (this.sessions.get(id) === s && !s.write) {
          clearTimeout(s.timer);
          s.timer = setTimeout(() => this.sessions.delete(id), IDLE_MS);
        }
      });
    this.sessions.set(id, s);
    return s;
  }

  /** One part: its bytes go to the upload's import; the answer carries the progress made meanwhile. */
  async part(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: ImportContext,
    opts: { fileName?: string; maxBytes: number; headers: Record<string, string> },
  ): Promise<void> {
    const id = url.searchParams.get('upload') ?? '';
    const part = Number(url.searchParams.get('part') ?? '0');
    const last = url.searchParams.get('last') === '1';
    const size = Number(url.searchParams.get('size') ?? '');
    let s = this.sessions.get(id);
    if (
      !/^[\w-]{8,64}$/.test(id) ||
      !Number.isSafeInteger(part) ||
      (part === 0) === !!s ||
      (s && s.nextPart !== part)
    ) {
      req.resume();
      res.writeHead(409, opts.headers);
      const error = new BoxscopeError('INVALID_INPUT', 'This upload is unknown or out of order; open the file again');
      res.end(JSON.stringify({ error: error.toInfo() }) + '\n');
      return;
    }
    s ??= this.start(id, ctx, {
      fileName: opts.fileName,
      totalBytes: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
      maxBytes: opts.maxBytes,
    });
    const session = s;
    clearTimeout(session.timer);
    session.nextPart++;
    res.writeHead(200, opts.headers);
    res.flushHeaders();
    session.write = (line) => res.write(line);
    for (const l of session.lines.splice(0)) res.write(l);
    // The page went away mid-part (closed, reloaded, cancelled): the import stops.
    res.on('close', () => {
      if (!res.writableEnded) {
        this.drop(session);
        this.sessions.delete(id);
      }
    });
    try {
      for await (const chunk of req.iterator({ destroyOnReturn: false })) {
        if (session.finished) break;
        await session.queue.push(chunk as Uint8Array);
      }
    } catch {
      // The connection broke: the close handler above stops the import.
    }
    if (!req.readableEnded) req.resume();
    if (last) {
      session.queue.end();
      await session.settled;
    } else await Promise.race([session.queue.idle(), session.settled]);
    session.write = undefined;
    if (res.destroyed) return;
    if (session.finished) this.sessions.delete(id);
    else
      session.timer = setTimeout(() => {
        this.drop(session);
        this.sessions.delete(id);
      }, IDLE_MS);
    res.end();
  }
}
