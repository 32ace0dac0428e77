/**
 * A binary ExportTraceServiceRequest read as a stream: the walker follows the
 * length-delimited nesting (request → ResourceSpans → ScopeSpans) without
 * holding it, and decodes each Resource, InstrumentationScope and Span on
 * its own with the protobuf schema (otlp/schema.ts), handing the plain
 * objects to the same sink as the JSON walker. Unknown fields are skipped by
 * wire type, so a file from a newer exporter still reads.
 */
import { concat } from './json-skeleton.js';
import { pb } from './schema.js';

export interface PbSink {
  opened(kind: string): void;
  closed(kind: string): void;
  accept(kind: string, key: string | undefined, v: unknown): void;
  bad(reason: string): Error;
}

/** A single span or resource past this is not a trace file's. */
const MAX_PART = 64 * 1024 * 1024;

interface Frame {
  kind: 'top' | 'rs' | 'ss';
  end: number;
}

const PLAIN = { longs: String, enums: Number, defaults: false } as const;

/** Reads a varint at `i`; undefined when the bytes end first. Up to 2^53, enough for lengths and tags. */
function varint(b: Uint8Array, i: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (i + k >= b.length) return undefined;
    const c = b[i + k]!;
    value += (c & 0x7f) * mul;
    if (c < 0x80) return { value, next: i + k + 1 };
    mul *= 128;
  }
  return { value: Number.NaN, next: i + 10 };
}

export class PbTraceWalker {
  /** Bytes consumed so far (absolute offset of `buf[0]` is `base`). */
  private base = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private readonly stack: Frame[] = [{ kind: 'top', end: Infinity }];
  private skip = 0;
  /** A part being collected: its kind and length, and the bytes so far. */
  private part?: {
    kind: 'rs' | 'ss' | 'spans';
    key?: string;
    need: number;
    got: Uint8Array[];
    have: number;
    at: number;
  };

  constructor(private readonly sink: PbSink) {
    sink.opened('rsList');
  }

  /** Whether the input stopped cleanly (not inside a field or a message). */
  state(): { capturing?: string; complete: boolean } {
    return {
      ...(this.part?.kind === 'spans' ? { capturing: 'spans' } : {}),
      complete: !this.part && this.skip === 0 && this.buf.length === 0 && this.stack.length === 1,
    };
  }

  push(chunk: Uint8Array): void {
    let b = chunk;
    // A part being collected takes what it needs first.
    if (this.part) b = this.fill(b);
    if (this.skip) {
      const n = Math.min(this.skip, b.length);
      this.skip -= n;
      this.base += n;
      b = b.subarray(n);
    }
    this.buf = this.buf.length ? concat([this.buf, b]) : b;
    this.walk();
  }

  private fill(b: Uint8Array): Uint8Array {
    const p = this.part!;
    const n = Math.min(p.need - p.have, b.length);
    p.got.push(b.subarray(0, n));
    p.have += n;
    this.base += n;
    if (p.have === p.need) {
      this.part = undefined;
      this.decode(p.kind, p.key, p.got.length === 1 ? p.got[0]! : concat(p.got), p.at);
      this.closeEnded();
    }
    return b.subarray(n);
  }

  private closeEnded(): void {
    for (let f = this.stack[this.stack.length - 1]!; f.kind !== 'top' && this.base >= f.end;) {
      if (this.base > f.end)
        throw this.sink.bad(`not a valid protobuf trace file: a message overruns its length at byte ${f.end}`);
      this.stack.pop();
      this.sink.closed(f.kind);
      f = this.stack[this.stack.length - 1]!;
    }
  }

  private walk(): void {
    let i = 0;
    const b = this.buf;
    for (;;) {
      this.closeEnded();
      if (i >= b.length || this.part || this.skip) break;
      const at = this.base;
      const tag = varint(b, i);
      if (!tag) break;
      const field = Math.floor(tag.value / 8);
      const wire = tag.value & 7;
      let j = tag.next;
      const frame = this.stack[this.stack.length - 1]!;
      if (wire === 0) {
        const v = varint(b, j);
        if (!v) break;
        j = v.next;
      } else if (wire === 1 || wire === 5) {
        const size = wire === 1 ? 8 : 4;
        if (j + size > b.length) {
          this.skip = j + size - b.length;
          this.base += b.length - i;
          i = b.length;
          break;
        }
        j += size;
      } else if (wire === 2) {
        const len = varint(b, j);
        if (!len) break;
        if (!Number.isSafeInteger(len.value)) throw this.sink.bad(`not a valid protobuf trace file at byte ${at}`);
        j = len.next;
        const enter =
          (frame.kind === 'top' && field === 1 && 'rs') || (frame.kind === 'rs' && field === 2 && 'ss') || undefined;
        const take =
          (frame.kind === 'rs' && field === 1 && { kind: 'rs' as const, key: 'resource' }) ||
          (frame.kind === 'ss' && field === 1 && { kind: 'ss' as const, key: 'scope' }) ||
          (frame.kind === 'ss' && field === 2 && { kind: 'spans' as const, key: undefined }) ||
          undefined;
        this.base += j - i;
        i = j;
        if (enter) {
          this.stack.push({ kind: enter, end: this.base + len.value });
          this.sink.opened(enter);
          continue;
        }
        if (take) {
          if (len.value > MAX_PART) throw this.sink.bad(`a protobuf ${take.kind} at byte ${at} is larger than 64 MiB`);
          this.part = { ...take, need: len.value, got: [], have: 0, at };
          const rest = this.fill(b.subarray(i));
          i = b.length - rest.length;
          continue;
        }
        this.skip = len.value;
        const n = Math.min(this.skip, b.length - i);
        this.skip -= n;
        this.base += n;
        i += n;
        continue;
      } else {
        throw this.sink.bad(`not a valid protobuf trace file: wire type ${wire} at byte ${at}`);
      }
      this.base += j - i;
      i = j;
    }
    // What is left is shorter than a tag and its length: kept for the next chunk.
    this.buf = i < b.length ? b.slice(i) : new Uint8Array(0);
  }

  private decode(kind: 'rs' | 'ss' | 'spans', key: string | undefined, bytes: Uint8Array, at: number): void {
    const type = kind === 'rs' ? pb.Resource : kind === 'ss' ? pb.InstrumentationScope : pb.Span;
    let v: unknown;
    try {
      v = type.toObject(type.decode(bytes), PLAIN);
    } catch {
      throw this.sink.bad(
        `not a valid protobuf trace file: undecodable ${kind === 'spans' ? 'span' : key} at byte ${at}`,
      );
    }
    this.sink.accept(kind, key, v);
  }
}
