/** Column helpers of the model build (renderer/src/model/trace-model.ts). */

/**
 * Indexes 0..n-1 sorted by `times` (ties in index order): an LSD radix sort on
 * the bits of the doubles, four 16-bit digits each way, which orders
 * non-negative doubles exactly (a comparator sort of a million is several
 * times slower). Negative times fall back to the comparator.
 */
export function startOrder(times: Float64Array): Int32Array {
  const n = times.length;
  let out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n; i++) {
    if (!(times[i] >= 0)) return out.sort((a, b) => times[a] - times[b] || a - b);
  }
  const words = new Uint32Array(times.buffer, times.byteOffset, n * 2);
  let tmp = new Int32Array(n);
  const count = new Int32Array(65537);
  // Little-endian: word 2i is the low half of times[i], 2i+1 the high half.
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[((words[2 * i + word] >>> shift) & 0xffff) + 1]++;
    if (count[1] === n) continue;
    for (let d = 0; d < 65536; d++) count[d + 1] += count[d];
    for (let k = 0; k < n; k++) {
      const i = out[k];
      tmp[count[(words[2 * i + word] >>> shift) & 0xffff]++] = i;
    }
    const swap = out;
    out = tmp;
    tmp = swap;
  }
  return out;
}

type Column = Uint8Array | Uint32Array | Int32Array | Float64Array;

export function gather<T extends Column>(dst: T, src: T, order: Int32Array): void {
  for (let i = 0; i < order.length; i++) dst[i] = src[order[i]];
}

export function allocate(n: number) {
  return {
    parent: new Int32Array(n),
    depth: new Int32Array(n),
    subtreeEnd: new Int32Array(n),
    childCount: new Int32Array(n),
    start: new Float64Array(n),
    finish: new Float64Array(n),
    orphan: new Uint8Array(n),
    idHi: new Uint32Array(n),
    idLo: new Uint32Array(n),
    parentHi: new Uint32Array(n),
    parentLo: new Uint32Array(n),
    name: new Uint32Array(n),
    boxId: new Uint32Array(n),
    serviceOf: new Uint32Array(n),
    status: new Uint8Array(n),
    kind: new Uint8Array(n),
    eventStart: new Uint32Array(n + 1),
  };
}
