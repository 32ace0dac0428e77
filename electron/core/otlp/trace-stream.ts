/**
 * Reads a trace file as a stream of byte chunks and yields its spans in
 * batches, never holding the file: OTLP JSON (an ExportTraceServiceRequest,
 * or one per line as the collector's file exporter writes), Jaeger JSON
 * (`{data:[{traceID, spans, processes}]}`) and OTLP protobuf. Each span's bytes go to the
 * native JSON.parse, then through the same decoders as whole files
 * (fromExportRequest, fromJaeger), a few hundred spans at a time.
 *
 * What is held: the spans of one resourceSpans entry whose `resource` comes
 * after its `scopeSpans` (until the resource is known), of one scopeSpans
 * whose `scope` comes after its `spans`, and of one Jaeger data[] entry whose
 * `processes` come after its spans (the usual order) — those as their bytes,
 * parsed and decoded a batch at a time once the processes are in, so the first
 * batch goes out as soon as the file is read rather than after every span is
 * decoded.
 *
 * Measured on a 100k-span OTLP JSON file (91 MB, bench/fixtures/make-trace.mjs),
 * Node 20, bytes in memory, best of 3 in one run on a shared 2-core machine:
 *   JSON.parse of the whole file, no decoding          105 MB/s   (869 ms)
 *   JSON.parse of the whole file + fromExportRequest     75 MB/s  (1223 ms)
 *   @streamparser/json, span objects only, no decoding   27 MB/s  (3344 ms)
 *   this parser, decoded SpanRecords in batches          62 MB/s  (1468 ms)
 * The walk itself runs at 300-400 MB/s; JSON.parse of each span (~50%) and the
 * decoders (~25%) are the rest, so JSON.parse bounds any parser built on it.
 * Protobuf files (a binary ExportTraceServiceRequest) go through pb-stream.ts.
 */
import type { SpanRecord } from '../../../shared/models.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { JsonSkeleton, type Action, type SkeletonHandler } from './json-skeleton.js';
import { SpanSink } from './span-sink.js';
import { PbTraceWalker } from './pb-stream.js';

export interface TraceStreamOptions {
  fileName?: string;
  /** Spans per yielded batch (default 2000). */
  batchSpans?: number;
  /** Refuse input past this many bytes. */
  maxBytes?: number;
}

export interface SpanBatch {
  spans: SpanRecord[];
  /** Bytes of the input read so far. */
  bytes: number;
}

function describeByte(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** The push side: feed chunks, take the spans decoded so far, end. Synchronous; see parseTraceStream. */
export class TraceStreamParser {
  private readonly scanner: JsonSkeleton;
  private readonly sink: SpanSink;
  private pb?: PbTraceWalker;
  private prefix?: Uint8Array;
  private total = 0;

  constructor(private readonly opts: TraceStreamOptions = {}) {
    this.sink = new SpanSink(
      opts.fileName,
      (reason) => this.bad(reason),
      (bytes, at) => this.parse(bytes, at, true),
    );
    this.scanner = new JsonSkeleton(this.handler());
  }

  get bytes(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.opts.maxBytes !== undefined && this.total + chunk.length > this.opts.maxBytes) {
      throw this.bad(`larger than the ${formatBytes(this.opts.maxBytes)} a trace file may have`);
    }
    if (this.prefix) {
      chunk = Buffer.concat([this.prefix, chunk]);
      this.total -= this.prefix.length;
      this.prefix = undefined;
    }
    // One byte cannot tell protobuf from JSON: wait for the next.
    if (this.total === 0 && chunk.length < 2 && chunk[0] === 0x0a) {
      this.prefix = chunk;
      this.total += chunk.length;
      return;
    }
    if (this.total === 0 && looksLikeProtobuf(chunk)) {
      this.pb = new PbTraceWalker({
        opened: (k) => this.sink.opened(k),
        closed: (k) => this.sink.closed(k),
        accept: (k, key, v) => this.sink.accept(k, key, v),
        bad: (reason) => this.bad(reason),
      });
    }
    this.total += chunk.length;
    if (this.pb) this.pb.push(chunk);
    else this.scanner.push(chunk);
  }

  /** Spans decoded since the last take (with `limit`, held Jaeger spans are decoded only up to it; see SpanSink). */
  take(limit?: number): SpanRecord[] {
    return this.sink.take(limit);
  }

  /** Held spans are still to be taken. */
  get holding(): boolean {
    return this.sink.holding;
  }

  /** The input is complete: throws if it stopped inside a value, or held no spans at all. */
  end(): void {
    if (this.prefix) {
      this.scanner.push(this.prefix);
      this.prefix = undefined;
    }
    const st = (this.pb ?? this.scanner).state();
    const at = this.total;
    if (st.capturing === 'spans' || st.capturing === 'jspans') {
      throw this.bad(`truncated: the file ends inside a span at byte ${at}`);
    }
    if (!st.complete) {
      throw this.bad(
        `truncated: the file ends at byte ${at} ${this.pb ? 'inside a message' : 'before its JSON is closed'}`,
      );
    }
    if (this.sink.decoded === 0 && !this.sink.holding) {
      if (at === 0 || this.sink.docFormat === 'none')
        throw this.bad(at === 0 ? 'the file is empty' : 'the file holds no spans');
      throw this.bad(
        this.sink.rejected
          ? `no usable spans (${this.sink.rejected} with ${this.sink.rejectReason})`
          : 'the file holds no spans',
      );
    }
  }

  private bad(reason: string): BoxscopeError {
    const name = this.opts.fileName;
    return new BoxscopeError('BAD_TRACE_FILE', `${name ? name + ': ' : ''}${reason}`);
  }

  private handler(): SkeletonHandler {
    const LB = 0x7b;
    const AB = 0x5b;
    return {
      value: (kind, key, first, at): Action => {
        switch (kind) {
          case 'top':
            if (first !== LB)
              throw this.bad(`not OTLP JSON or Jaeger JSON: unexpected ${describeByte(first)} at byte ${at}`);
            this.sink.docAt = at;
            return { object: 'root' };
          case 'root':
            if (key === 'resourceSpans' && first === AB) return { array: 'rsList' };
            if (key === 'data' && first === AB) return { array: 'data' };
            if (key === 'spans' && first === AB) return { array: 'jspans' };
            return key === 'processes' || key === 'traceID' ? 'capture' : 'skip';
          case 'rsList':
            return first === LB ? { object: 'rs' } : 'skip';
          case 'rs':
            if ((key === 'scopeSpans' || key === 'instrumentationLibrarySpans') && first === AB)
              return { array: 'ssList' };
            return key === 'resource' ? 'capture' : 'skip';
          case 'ssList':
            return first === LB ? { object: 'ss' } : 'skip';
          case 'ss':
            if (key === 'spans' && first === AB) return { array: 'spans' };
            return key === 'scope' || key === 'instrumentationLibrary' ? 'capture' : 'skip';
          case 'data':
            return first === LB ? { object: 'jtrace' } : 'skip';
          case 'jtrace':
            if (key === 'spans' && first === AB) return { array: 'jspans' };
            return key === 'processes' || key === 'traceID' ? 'capture' : 'skip';
          case 'spans':
          case 'jspans':
            return first === LB ? 'capture' : 'skip';
          default:
            return 'skip';
        }
      },
      opened: (kind) => this.sink.opened(kind),
      closed: (kind) => this.sink.closed(kind),
      captured: (kind, key, bytes, at) => {
        if (kind === 'jspans') this.sink.jaegerSpan(bytes, at);
        else this.sink.accept(kind, key, this.parse(bytes, at, kind === 'spans'));
      },
      unexpected: (c, at) => {
        throw this.bad(`not valid JSON: unexpected ${describeByte(c)} at byte ${at}`);
      },
    };
  }

  private parse(bytes: Uint8Array, at: number, isSpan: boolean): unknown {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      const pos = /position (\d+)/.exec((err as Error).message);
      const where = at + (pos ? Number(pos[1]) : 0);
      throw this.bad(`not valid JSON ${isSpan ? 'in a span ' : ''}at byte ${where}`);
    }
  }
}

/** A binary ExportTraceServiceRequest starts with field 1 (0x0a) and a length: never JSON's `{` after whitespace. */
function looksLikeProtobuf(chunk: Uint8Array): boolean {
  if (chunk[0] !== 0x0a || chunk.length < 2) return false;
  const c = chunk[1]!;
  return !(c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x7b);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** Chunks in, batches of at most `batchSpans` spans out (the last may be smaller); throws BAD_TRACE_FILE. */
export async function* parseTraceStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: TraceStreamOptions = {},
): AsyncGenerator<SpanBatch> {
  const size = opts.batchSpans ?? 2000;
  const p = new TraceStreamParser(opts);
  let pending: SpanRecord[] = [];
  for await (const chunk of chunks) {
    p.push(chunk);
    const got = p.take(size);
    if (got.length) pending = pending.length ? pending.concat(got) : got;
    while (pending.length >= size) {
      yield { spans: pending.slice(0, size), bytes: p.bytes };
      pending = pending.slice(size);
    }
  }
  p.end();
  // Spans held for processes that came last (Jaeger's usual order) go out a batch at a time.
  for (;;) {
    const got = p.take(size);
    if (got.length) pending = pending.length ? pending.concat(got) : got;
    while (pending.length >= size) {
      yield { spans: pending.slice(0, size), bytes: p.bytes };
      pending = pending.slice(size);
    }
    if (!got.length && !p.holding) break;
  }
  if (pending.length) yield { spans: pending, bytes: p.bytes };
}

/** A whole file in memory, through the same parser. */
export function parseTraceBytes(content: Uint8Array, opts: TraceStreamOptions = {}): SpanRecord[] {
  const p = new TraceStreamParser(opts);
  p.push(content);
  p.end();
  return p.take();
}
