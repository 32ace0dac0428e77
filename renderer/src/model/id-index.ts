/**
 * 8-byte span ids as two uint32 halves (big-endian, so the hex reads the
 * same), and an open-addressing hash from an id to a row. A million spans
 * cost two Uint32Arrays and one Int32Array instead of a million strings in
 * a Map.
 */

const HEX16 = /^[0-9a-fA-F]{16}$/;

/** The high and low halves of a 16-hex-digit id, or undefined for anything else. */
export function parseIdHex(hex: string): [number, number] | undefined {
  if (!HEX16.test(hex)) return undefined;
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8), 16) >>> 0];
}

export function idToHex(hi: number, lo: number): string {
  if (!hi && !lo) return '';
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Reads the id at row i of an 8-bytes-per-row column. */
export function readId(col: Uint8Array, i: number): [number, number] {
  const o = i * 8;
  const hi = ((col[o] << 24) | (col[o + 1] << 16) | (col[o + 2] << 8) | col[o + 3]) >>> 0;
  const lo = ((col[o + 4] << 24) | (col[o + 5] << 16) | (col[o + 6] << 8) | col[o + 7]) >>> 0;
  return [hi, lo];
}

const hash = (hi: number, lo: number) => {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Rows keyed by id, the ids held in `hi`/`lo` (row r's id is hi[r], lo[r]).
 * `add` appends a row for a new id; the caller fills hi/lo through it.
 */
export class IdIndex {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  size = 0;
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(capacity: number, hi?: Uint32Array, lo?: Uint32Array) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.hi = hi ?? new Uint32Array(capacity);
    this.lo = lo ?? new Uint32Array(capacity);
  }

  /** An index over ids already in place: rows 0..n-1 of hi/lo, all distinct. */
  static over(hi: Uint32Array, lo: Uint32Array, n: number): IdIndex {
    const idx = new IdIndex(Math.max(n, hi.length), hi, lo);
    for (let r = 0; r < n; r++) idx.insertRow(r);
    idx.size = n;
    return idx;
  }

  /**
   * The same ids at new rows: row r moves to rank[r], and hi/lo are the ids in
   * their new order. Rewrites the table's entries rather than hashing again.
   */
  permuted(rank: Int32Array, hi: Uint32Array, lo: Uint32Array): IdIndex {
    const out = Object.create(IdIndex.prototype) as IdIndex;
    const table = new Int32Array(this.table.length);
    for (let t = 0; t < table.length; t++) {
      const r = this.table[t];
      table[t] = r < 0 ? -1 : rank[r];
    }
    Object.assign(out, { hi, lo, size: this.size, table, mask: this.mask });
    return out;
  }

  /** Rows this index can hold before it must grow. */
  get capacity(): number {
    return this.hi.length;
  }

  /** The same rows in an index that holds at least `capacity` (ids copied, table rebuilt). */
  grown(capacity: number): IdIndex {
    const hi = new Uint32Array(capacity);
    const lo = new Uint32Array(capacity);
    hi.set(this.hi.subarray(0, this.size));
    lo.set(this.lo.subarray(0, this.size));
    return IdIndex.over(hi, lo, this.size);
  }

  private insertRow(r: number): void {
    let t = hash(this.hi[r], this.lo[r]) & this.mask;
    while (this.table[t] >= 0) t = (t + 1) & this.mask;
    this.table[t] = r;
  }

  find(hi: number, lo: number): number {
    let t = hash(hi, lo) & this.mask;
    for (;;) {
      const r = this.table[t];
      if (r < 0) return -1;
      if (this.hi[r] === hi && this.lo[r] === lo) return r;
      t = (t + 1) & this.mask;
    }
  }

  /** The row of the id, appending one if it is new. */
  add(hi: number, lo: number): number {
    let t = hash(hi, lo) & this.mask;
    for (;;) {
      const r = this.table[t];
      if (r < 0) break;
      if (this.hi[r] === hi && this.lo[r] === lo) return r;
      t = (t + 1) & this.mask;
    }
    const r = this.size++;
    this.hi[r] = hi;
    this.lo[r] = lo;
    this.table[t] = r;
    return r;
  }

  findHex(hex: string): number {
    const id = parseIdHex(hex);
    return id ? this.find(id[0], id[1]) : -1;
  }
}
