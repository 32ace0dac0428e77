/**
 * A resumable byte-level JSON walker for files too big to parse at once. It
 * walks only the outer "skeleton" of a document (the containers a handler
 * asks to descend into), and for every other value either skips it or hands
 * its bytes, whole, to the handler, which gives them to the native JSON.parse.
 * Inside a skipped or captured value it tracks only strings, escapes and
 * nesting, which is what makes it fast: a span is a few hundred bytes seen
 * once by this loop and once by JSON.parse.
 *
 * Chunks may split anything anywhere (a key, an escape, a UTF-8 sequence);
 * the state carries over. Chunks are kept by reference while a value spans
 * them, so a caller must not reuse a chunk's memory after feeding it.
 * Bracket kinds are checked on the skeleton, and inside captured values by
 * JSON.parse; inside skipped values only their balance is.
 */

/** What to do with one value of a skeleton container. */
export type Action = 'skip' | 'capture' | { object: string } | { array: string };

export interface SkeletonHandler {
  /** A value starts (`first` is its first byte) under `key` of an object of `kind`, or in an array of `kind`. */
  value(kind: string, key: string | undefined, first: number, at: number): Action;
  /** A captured value, whole, starting at byte `at` of the input. */
  captured(kind: string, key: string | undefined, bytes: Uint8Array, at: number): void;
  opened(kind: string, at: number): void;
  closed(kind: string, at: number): void;
  /** Malformed skeleton: the handler throws its own error. */
  unexpected(byte: number, at: number): never;
}

interface Frame {
  kind: string;
  array: boolean;
  key: string | undefined;
  expect: Expect;
}

const enum Expect {
  KeyOrEnd,
  Key,
  Colon,
  Value,
  ValueOrEnd,
  CommaOrEnd,
}

const enum Mode {
  Skeleton,
  Key,
  Value,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Ends a number or literal (true, false, null) at the top of a value. */
function endsLiteral(c: number): boolean {
  return c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c);
}

const decoder = new TextDecoder();

export class JsonSkeleton {
  /** Bytes fed so far. */
  offset = 0;
  /** `top` is an implicit array of whitespace-separated documents (one, or NDJSON). */
  private stack: Frame[] = [{ kind: 'top', array: true, key: undefined, expect: Expect.Value }];
  private mode = Mode.Skeleton;
  // The value being skipped or captured.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private literal = false;
  private capture = false;
  private parts: Uint8Array[] = [];
  private valueAt = 0;
  private valueKind = '';
  private valueKey: string | undefined;
  // The key being read.
  private keyParts: Uint8Array[] = [];
  private keyEscaped = false;

  constructor(private readonly handler: SkeletonHandler) {}

  /** Where the input stands: the kind of the value being captured, if any, and whether every document closed. */
  state(): { capturing?: string; complete: boolean } {
    if (this.mode === Mode.Value && this.literal && this.stack.length === 1) return { complete: true };
    return {
      ...(this.mode === Mode.Value && this.capture ? { capturing: this.valueKind } : {}),
      complete: this.mode === Mode.Skeleton && this.stack.length === 1,
    };
  }

  push(buf: Uint8Array): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.mode === Mode.Value) {
        i = this.scanValue(buf, i);
        continue;
      }
      if (this.mode === Mode.Key) {
        i = this.scanKey(buf, i);
        continue;
      }
      const c = buf[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      const f = this.stack[this.stack.length - 1]!;
      const at = this.offset + i;
      const e = f.expect;
      if ((e === Expect.KeyOrEnd && c === 0x7d) || (e === Expect.ValueOrEnd && c === 0x5d)) {
        this.close(f, at);
        i++;
      } else if (e === Expect.KeyOrEnd || e === Expect.Key) {
        if (c !== QUOTE) this.handler.unexpected(c, at);
        this.mode = Mode.Key;
        this.keyParts = [];
        this.keyEscaped = false;
        i++;
      } else if (e === Expect.Colon) {
        if (c !== 0x3a) this.handler.unexpected(c, at);
        f.expect = Expect.Value;
        i++;
      } else if (e === Expect.Value || e === Expect.ValueOrEnd) {
        i = this.startValue(f, c, at, i);
      } else {
        if (c === 0x2c) f.expect = f.array ? Expect.Value : Expect.Key;
        else if (c === (f.array ? 0x5d : 0x7d)) this.close(f, at);
        else this.handler.unexpected(c, at);
        i++;
      }
    }
    this.offset += n;
  }

  private close(f: Frame, at: number): void {
    if (this.stack.length === 1) this.handler.unexpected(f.array ? 0x5d : 0x7d, at);
    this.stack.pop();
    this.handler.closed(f.kind, at);
  }

  private startValue(f: Frame, c: number, at: number, i: number): number {
    const top = this.stack.length === 1;
    const action = this.handler.value(f.kind, f.array ? undefined : f.key, c, at);
    f.expect = top ? Expect.Value : Expect.CommaOrEnd;
    if (typeof action === 'object') {
      const object = 'object' in action;
      if (c !== (object ? 0x7b : 0x5b)) return this.beginValue(f, false, c, at, i);
      const kind = object ? action.object : action.array;
      this.stack.push({ kind, array: !object, key: undefined, expect: object ? Expect.KeyOrEnd : Expect.ValueOrEnd });
      this.handler.opened(kind, at);
      return i + 1;
    }
    return this.beginValue(f, action === 'capture', c, at, i);
  }

  private beginValue(f: Frame, capture: boolean, c: number, at: number, i: number): number {
    if (c === 0x7d || c === 0x5d || c === 0x2c || c === 0x3a) this.handler.unexpected(c, at);
    this.mode = Mode.Value;
    this.capture = capture;
    this.parts = [];
    this.valueAt = at;
    this.valueKind = f.kind;
    this.valueKey = f.array ? undefined : f.key;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.literal = c !== QUOTE && c !== 0x7b && c !== 0x5b;
    return i;
  }

  /** Skips or captures the current value from `i`; returns where the skeleton goes on (or the chunk's end). */
  private scanValue(buf: Uint8Array, i: number): number {
    const n = buf.length;
    const start = i;
    let end = -1;
    if (this.literal) {
      while (i < n && !endsLiteral(buf[i]!)) i++;
      if (i < n) end = i;
    } else {
      let d = this.depth;
      let s = this.inString;
      let e = this.escaped;
      // Backslashes before this index belong to an escape already taken into account.
      let from = start;
      for (; i < n; i++) {
        if (s) {
          // String contents are most of a span's bytes: jump to the next quote natively.
          if (e) {
            e = false;
            from = i + 1;
            continue;
          }
          const q = buf.indexOf(QUOTE, i);
          if (q < 0) {
            e = oddBackslashesBefore(buf, n, Math.max(from, i));
            break;
          }
          i = q;
          if (oddBackslashesBefore(buf, q, from)) continue;
          s = false;
          if (d === 0) {
            end = i + 1;
            break;
          }
          continue;
        }
        const c = buf[i]!;
        if (c === QUOTE) s = true;
        else if (c === 0x7b || c === 0x5b) d++;
        else if (c === 0x7d || c === 0x5d) {
          if (--d === 0) {
            end = i + 1;
            break;
          }
        }
      }
      this.depth = d;
      this.inString = s;
      this.escaped = e;
    }
    if (end < 0) {
      if (this.capture) this.parts.push(buf.subarray(start, n));
      return n;
    }
    this.mode = Mode.Skeleton;
    if (this.capture) {
      const tail = buf.subarray(start, end);
      const bytes = this.parts.length ? concat([...this.parts, tail]) : tail;
      this.parts = [];
      this.handler.captured(this.valueKind, this.valueKey, bytes, this.valueAt);
    }
    return end;
  }

  private scanKey(buf: Uint8Array, i: number): number {
    const n = buf.length;
    const start = i;
    let e = this.keyEscaped;
    for (; i < n; i++) {
      const c = buf[i]!;
      if (e) e = false;
      else if (c === BACKSLASH) e = true;
      else if (c === QUOTE) break;
    }
    this.keyEscaped = e;
    if (i === n) {
      this.keyParts.push(buf.subarray(start, n));
      return n;
    }
    const raw = this.keyParts.length ? concat([...this.keyParts, buf.subarray(start, i)]) : buf.subarray(start, i);
    const text = decoder.decode(raw);
    const f = this.stack[this.stack.length - 1]!;
    if (text.includes('\\')) {
      try {
        f.key = JSON.parse(`"${text}"`) as string;
      } catch {
        this.handler.unexpected(BACKSLASH, this.offset + start);
      }
    } else f.key = text;
    f.expect = Expect.Colon;
    this.mode = Mode.Skeleton;
    return i + 1;
  }
}

/** Whether the run of backslashes ending just before `at` (not reaching back past `from`) is odd: it escapes what follows. */
function oddBackslashesBefore(buf: Uint8Array, at: number, from: number): boolean {
  let k = at - 1;
  while (k >= from && buf[k] === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
