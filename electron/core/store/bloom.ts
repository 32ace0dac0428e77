/**
 * Attribute filters for `KEY=VALUE` search (schema v3, table `span_blooms`):
 * each trace's spans are covered by blocks of consecutive spans, and each
 * block keeps a Bloom filter of the terms its spans answer — each key with
 * the value `spanMatches` (shared/trace-query.ts) would compare, the span's
 * attribute over the resource's. A filter never says "no" for a term that is there, so
 * a search skips every block whose filter says "no" to a term and judges the
 * rest exactly as before; spans outside every block (written before v3, or in
 * small writes) are always judged. See docs/STORE.md.
 */
import type { AttrValue, Attributes } from '../../../shared/models.js';
import { valueText } from '../../../shared/trace-query.js';

/** Bit probes per term (double hashing from two 32-bit hashes). */
const K = 4;
/** A block's filter starts at this many bytes and doubles block by block up to MAX_BYTES. */
export const MIN_BYTES = 64;
export const MAX_BYTES = 2048;
/** ~11 bits per term keeps a 4-probe filter's false positives near 1 %. */
const BITS_PER_TERM = 11;
/** Spans in one block at most: bounds what a false positive costs the search. */
export const MAX_SPANS = 1024;

/** One term's two hashes. */
export type Term = readonly [number, number];

const fmix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * The terms of one write's spans of one trace, flat: two 32-bit hashes per term in one growable
 * buffer (no per-span arrays for the collector), and where each span's terms end.
 */
export class TermList {
  buf = new Uint32Array(4096);
  len = 0;
  readonly seqs: number[] = [];
  readonly ends: number[] = [];

  /** Room for n more terms. */
  private room(n: number): void {
    if (this.len + 2 * n <= this.buf.length) return;
    const more = new Uint32Array(Math.max(this.buf.length * 2, this.len + 2 * n));
    more.set(this.buf.subarray(0, this.len));
    this.buf = more;
  }

  /** The hash pair of `key`, NUL, `value`: one 32-bit FNV-1a pass (the key's part kept), mixed twice. */
  pair(key: string, value: string): void {
    this.room(1);
    let a = Math.imul(keyState(key), 0x01000193);
    // The value's length and at most its first and last 16 characters: equal values hash alike, which is
    // all a filter needs (long values that differ only inside cost a false "maybe", never a miss).
    const n = value.length;
    a = Math.imul(a ^ n, 0x01000193);
    if (n <= 32) for (let i = 0; i < n; i++) a = Math.imul(a ^ value.charCodeAt(i), 0x01000193);
    else {
      for (let i = 0; i < 16; i++) a = Math.imul(a ^ value.charCodeAt(i), 0x01000193);
      for (let i = n - 16; i < n; i++) a = Math.imul(a ^ value.charCodeAt(i), 0x01000193);
    }
    this.buf[this.len++] = fmix(a ^ 0x2545f491);
    this.buf[this.len++] = fmix(a ^ 0x7f4a7c15);
  }

  /**
   * One span's terms: every own attribute's key=value, then the resource's for the keys the span
   * does not have (its own value is the one spanMatches compares).
   */
  addSpan(seq: number, attributes: Attributes, resource: Attributes): void {
    for (const k in attributes) this.pair(k, textOf(attributes[k]!));
    for (const k in resource) if (!(k in attributes)) this.pair(k, textOf(resource[k]!));
    this.seqs.push(seq);
    this.ends.push(this.len);
  }
}

/** FNV-1a state after a key; keys repeat across spans, so it is kept (bounded). */
const keyStates = new Map<string, number>();
function keyState(key: string): number {
  let a = keyStates.get(key);
  if (a === undefined) {
    a = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) a = Math.imul(a ^ key.charCodeAt(i), 0x01000193);
    if (keyStates.size > 20_000) keyStates.clear();
    keyStates.set(key, a);
  }
  return a;
}

const textOf = (v: AttrValue) => (typeof v === 'string' ? v : valueText(v));

/** The term of a `KEY=VALUE` query (the value text as spanMatches compares it). */
export function queryTerm(key: string, value: string): Term {
  const t = new TermList();
  t.pair(key, value);
  return [t.buf[0]!, t.buf[1]!];
}

/** One block being written: its filter bits and how many terms set a new bit. */
export class BloomBlock {
  readonly bits: Uint8Array;
  terms: number;
  spans: number;
  constructor(
    readonly lo: number,
    public hi: number,
    bits: Uint8Array,
    terms = 0,
    spans = 0,
    readonly id?: number,
  ) {
    this.bits = bits;
    this.terms = terms;
    this.spans = spans;
  }

  static empty(lo: number, bytes: number): BloomBlock {
    return new BloomBlock(lo, lo, Buffer.alloc(bytes));
  }

  /** Whether another span fits: terms within the filter's size, spans within MAX_SPANS. */
  get full(): boolean {
    return this.spans >= MAX_SPANS || this.terms * BITS_PER_TERM >= this.bits.length * 8;
  }

  /** The next block's filter size. */
  get nextBytes(): number {
    return Math.min(MAX_BYTES, this.bits.length * 2);
  }

  /** Adds the span whose terms are buf[from, to). */
  add(seq: number, buf: Uint32Array, from: number, to: number): void {
    const bits = this.bits;
    const mask = bits.length * 8 - 1;
    for (let t = from; t < to; t += 2) {
      const a = buf[t]!;
      const b = buf[t + 1]! | 1;
      let fresh = false;
      for (let i = 0; i < K; i++) {
        const bit = (a + Math.imul(i, b)) & mask;
        const byte = bit >>> 3;
        const m = 1 << (bit & 7);
        if (!(bits[byte]! & m)) {
          bits[byte]! |= m;
          fresh = true;
        }
      }
      if (fresh) this.terms++;
    }
    this.spans++;
    this.hi = seq;
  }
}

/** Whether a stored filter may hold the term (false: no span of the block has it). */
export function mayHold(bits: Uint8Array, term: Term): boolean {
  const mask = bits.length * 8 - 1;
  const a = term[0];
  const b = term[1] | 1;
  for (let i = 0; i < K; i++) {
    const bit = (a + Math.imul(i, b)) & mask;
    if (!(bits[bit >>> 3]! & (1 << (bit & 7)))) return false;
  }
  return true;
}
