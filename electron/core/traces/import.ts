/**
 * A trace file into the store as it is read: each parsed batch is stored at
 * once (the store tells `spans:added` listeners, so an open timeline follows
 * the import live), and progress is reported as it goes: the first item as
 * soon as the first batch is stored (a page can open the trace then), then
 * at most every PROGRESS_MS, the last with `done: true`.
 *
 * A file that turns out bad midway keeps the spans stored before the error:
 * they are valid spans the user may want to look at, and re-importing the
 * fixed file adds only what is missing (the store ignores duplicates). The
 * error says how many were stored.
 */
import type { ImportProgress } from '../../../shared/models.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { parseTraceStream } from '../otlp/trace-stream.js';

export interface ImportOptions {
  fileName?: string;
  totalBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Refuse input past this many bytes (BAD_TRACE_FILE). */
  maxBytes?: number;
  batchSpans?: number;
}

/** Longest run of stored batches without a turn of the event loop. */
const YIELD_MS = 40;
const PROGRESS_MS = 100;

/** Largest trace file read by default: env BOXSCOPE_IMPORT_MAX_BYTES, else 4 GiB. */
export function importMaxBytes(env: NodeJS.ProcessEnv): number {
  const v = Number(env.BOXSCOPE_IMPORT_MAX_BYTES);
  return Number.isSafeInteger(v) && v > 0 ? v : 4 * 1024 ** 3;
}

export async function importTraceStream(
  ctx: Pick<CoreContext, 'store' | 'log'>,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: ImportOptions = {},
): Promise<ImportProgress> {
  const traceIds: string[] = [];
  const seen = new Set<string>();
  let spans = 0;
  const read = { bytes: 0 };
  let lastReport = 0;
  const progress = (done: boolean): ImportProgress => ({
    traceIds: [...traceIds],
    spans,
    bytes: read.bytes,
    ...(opts.totalBytes !== undefined ? { totalBytes: opts.totalBytes } : {}),
    done,
  });
  const cancelled = () => new BoxscopeError('CANCELLED', `Import cancelled; ${spans} spans were stored`, { spans });
  const started = Date.now();
  let turn = started;
  try {
    for await (const batch of parseTraceStream(counted(chunks, opts.signal, read), {
      fileName: opts.fileName,
      maxBytes: opts.maxBytes,
      batchSpans: opts.batchSpans,
    })) {
      if (opts.signal?.aborted) throw cancelled();
      ctx.store.addSpans(batch.spans);
      for (const s of batch.spans) {
        if (!seen.has(s.traceId)) {
          seen.add(s.traceId);
          traceIds.push(s.traceId);
        }
      }
      const first = spans === 0;
      spans += batch.spans.length;
      const now = Date.now();
      if (first || now - lastReport >= PROGRESS_MS) {
        lastReport = now;
        opts.onProgress?.(progress(false));
      }
      // Batches already parsed (a Jaeger file's spans held for its processes, a fast disk) would
      // otherwise be stored back to back in microtasks: let the event loop serve the page that
      // opened the first of them (its columns, its progress line) in between.
      if (first || now - turn >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = Date.now();
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) throw cancelled();
    if (err instanceof BoxscopeError && err.code === 'BAD_TRACE_FILE' && spans > 0) {
      throw new BoxscopeError('BAD_TRACE_FILE', `${err.message}; the ${spans} spans before it were stored`, {
        spans,
        traceIds,
      });
    }
    throw err;
  }
  const last = progress(true);
  opts.onProgress?.(last);
  ctx.log.info('imported trace file', { spans, traces: traceIds.length, ms: Date.now() - started });
  return last;
}

/** The chunks, counted, until the signal aborts; the source's own cleanup (a file's close) runs on return. */
async function* counted(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signal: AbortSignal | undefined,
  read: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    if (signal?.aborted) return;
    read.bytes += c.length;
    yield c;
  }
}
