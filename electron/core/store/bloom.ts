/**
 * Attribute filters for `KEY=VALUE` and `KEY=*` search (schema v3, table
 * `span_blooms`): each trace's spans are covered by blocks of consecutive
 * spans, and each block keeps a Bloom filter of the terms its spans answer —
 * a key present (span or resource attribute) and a key with the value
 * `spanMatches` (shared/trace-query.ts) would compare, the span's attribute
 * over the resource's. A filter never says "no" for a term that is there, so
 * a search skips every block whose filter says "no" to a term and judges the
 * rest exactly as before; spans outside every block (written before v3, or in
 * small writes) are always judged. See docs/ARCHITECTURE.md, "A trace".
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

/** Hashes of `key` alone and of `key`, NUL, `value` (one pass over both). */
function hashPair(key: string, value: string | undefined, out: number[]): void {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  out.push(fmix(a), fmix(b ^ 0x9e3779b9));
  if (value === undefined) return;
  a = Math.imul(a, 0x01000193);
  b = Math.imul(b, 0x5bd1e995) ^ (b >>> 15);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  out.push(fmix(a), fmix(b ^ 0x7f4a7c15));
}

/** The term of a `KEY=VALUE` (value text as spanMatches compares it) or `KEY=*` (value null) query. */
export function queryTerm(key: string, value: string | null): Term {
  const out: number[] = [];
  hashPair(key, value ?? undefined, out);
  return value === null ? [out[0]!, out[1]!] : [out[2]!, out[3]!];
}

function pushAttrs(attrs: Attributes, skip: Attributes | undefined, out: number[]): void {
  for (const k in attrs) {
    if (skip && k in skip) continue;
    const v: AttrValue = attrs[k]!;
    hashPair(k, valueText(v), out);
  }
}

/** The resource's terms (flat hash pairs), for the keys a span's own attributes do not shadow. */
export function resourceTerms(resource: Attributes): number[] {
  const out: number[] = [];
  pushAttrs(resource, undefined, out);
  return out;
}

/**
 * A span's terms as flat hash pairs [a, b, a, b, …]: every own attribute's
 * key and key=value, then the resource's for keys the span does not have.
 */
export function spanTerms(attributes: Attributes, resource: Attributes, resTerms: number[]): number[] {
  const out: number[] = [];
  pushAttrs(attributes, undefined, out);
  let i = 0;
  for (const k in resource) {
    // resTerms holds four numbers per resource key, in the resource's key order.
    if (!(k in attributes)) for (let j = 0; j < 4; j++) out.push(resTerms[i + j]!);
    i += 4;
  }
  return out;
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

  add(seq: number, terms: number[]): void {
    const bits = this.bits;
    const mask = bits.length * 8 - 1;
    for (let t = 0; t < terms.length; t += 2) {
      const a = terms[t]!;
      const b = terms[t + 1]! | 1;
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
