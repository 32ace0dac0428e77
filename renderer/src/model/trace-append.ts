/**
 * A trace model that grows in place as live column batches arrive
 * (docs/CONTRACTS.md "Trace columns"), instead of being rebuilt from every
 * batch. The columns are the model's own (renderer/src/model/trace-model.ts:
 * preorder rows, subtree ranges), kept in typed arrays with spare capacity
 * that doubles when it runs out. An append:
 *  - looks each new span up in the id index (kept by arrival number, with a
 *    row-of-arrival map, so moving rows never rehashes an id);
 *  - resolves its parent: a row already there, another new span, or none yet
 *    (an orphan, remembered by the parent id it waits for, so a parent that
 *    arrives later adopts it and its subtree);
 *  - places the new rows among their siblings by start time (a binary search
 *    over the parent's preorder range), and re-lays only what comes after the
 *    first changed row: the rows before it stay untouched, the rows after it
 *    move as whole blocks (typed-array copies) with their parent, depth and
 *    subtree indexes shifted, and only the ancestors of new rows are visited.
 * The common live case — spans that start after their siblings, under a span
 * near the end of the tree — costs O(new spans + depth). An append that would
 * change a laid-out row's place (a span sent again with another parent or
 * start, a start before the model's base time, a parent cycle) reports
 * failure, and the caller builds the model whole instead.
 */
import type { ColumnBatch } from '../../../shared/trace-columns.js';
import { IdIndex, parseIdHex, readId } from './id-index.js';
import type { TraceModel } from './trace-model.js';

interface Cols {
  parent: Int32Array;
  depth: Int32Array;
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** Arrival number (the id index's row) of each preorder row. */
  rawOf: Int32Array;
  start: Float64Array;
  finish: Float64Array;
  orphan: Uint8Array;
  status: Uint8Array;
  kind: Uint8Array;
  idHi: Uint32Array;
  idLo: Uint32Array;
  parentHi: Uint32Array;
  parentLo: Uint32Array;
  name: Uint32Array;
  boxId: Uint32Array;
  serviceOf: Uint32Array;
  eventStart: Uint32Array;
  eventEnd: Uint32Array;
}
type Column = Cols[keyof Cols];
const KEYS: (keyof Cols)[] = [
  'parent',
  'depth',
  'subtreeEnd',
  'childCount',
  'rawOf',
  'start',
  'finish',
  'orphan',
  'status',
  'kind',
  'idHi',
  'idLo',
  'parentHi',
  'parentLo',
  'name',
  'boxId',
  'serviceOf',
  'eventStart',
  'eventEnd',
];

function resized<T extends Column>(a: T, capacity: number, used: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a.subarray(0, used) as never);
  return b;
}

const key = (hi: number, lo: number) => `${hi}:${lo}`;

/** A place in the output: a run of old rows, one old row (its children change), or one new row. */
type Segment =
  | { t: 0; from: number; to: number; at: number; parentAt: number; dd: number; moved: boolean }
  | { t: 1; v: number; at: number; parentAt: number; dd: number; add: number; end: number; moved: boolean }
  | { t: 2; j: number; at: number; parentAt: number; depth: number; kids: number; end: number };

interface OldFrame {
  old: true;
  seg: Extract<Segment, { t: 1 }> | null;
  v: number;
  pos: number;
  end: number;
  at: number;
  dd: number;
  depth: number;
  /** Sorted: [position, type (0 insert, 1 descend, 2 skip), ref] triples. */
  events: number[];
  ei: number;
}
interface NewFrame {
  old: false;
  seg: Extract<Segment, { t: 2 }>;
  kids: number[];
  ki: number;
  at: number;
  depth: number;
}

export class LiveModel {
  private c: Cols;
  private n: number;
  private ids: IdIndex;
  private rowOf: Int32Array;
  private eventMs: Float64Array;
  private eventKind: Uint8Array;
  private events: number;
  private readonly strings: string[];
  private readonly stringIds: Map<string, number>;
  private readonly services: string[];
  /** String id → service index. */
  private readonly serviceIds: Map<number, number>;
  /** Orphans (arrival numbers) by the parent id they wait for. */
  private readonly waiting = new Map<string, number[]>();
  private readonly baseNs: bigint;
  private readonly baseMs: number;
  private readonly traceId: string;
  private orphanCount: number;
  private maxDepth: number;
  private errors: Int32Array;

  /** Takes over a model built whole (its arrays are copied, with room to grow). */
  constructor(m: TraceModel) {
    const n = m.size;
    const cap = n + Math.max(1024, n >> 2);
    this.n = n;
    const c = {} as Record<keyof Cols, Column>;
    for (const k of KEYS) {
      if (k === 'rawOf') continue;
      c[k] = resized((m as unknown as Record<string, Column>)[k], cap, n);
    }
    const rawOf = new Int32Array(cap);
    for (let i = 0; i < n; i++) rawOf[i] = i;
    c.rawOf = rawOf;
    this.c = c as unknown as Cols;
    this.rowOf = rawOf.slice();
    this.ids = IdIndex.over(resized(m.idHi, cap, n), resized(m.idLo, cap, n), n);
    this.events = 0;
    for (let i = 0; i < n; i++) if (m.eventEnd[i] > this.events) this.events = m.eventEnd[i];
    this.eventMs = resized(m.eventMs, this.events + 1024, this.events);
    this.eventKind = resized(m.eventKind, this.events + 1024, this.events);
    this.strings = m.strings.slice();
    this.stringIds = new Map(this.strings.map((s, i) => [s, i]));
    this.services = m.services.slice();
    this.serviceIds = new Map(this.services.map((s, i) => [this.stringIds.get(s) ?? this.sid(s), i]));
    this.baseMs = m.baseMs;
    this.baseNs = BigInt(m.baseMs) * 1_000_000n;
    this.traceId = m.traceId;
    this.orphanCount = m.orphanCount;
    this.maxDepth = m.maxDepth;
    this.errors = m.errors;
    for (let i = 0; i < n; i++) {
      if (m.orphan[i] && (m.parentHi[i] || m.parentLo[i])) this.wait(m.parentHi[i], m.parentLo[i], i);
    }
  }

  get size(): number {
    return this.n;
  }

  private sid(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private serviceOfString(id: number): number {
    let sv = this.serviceIds.get(id);
    if (sv === undefined) {
      sv = this.services.length;
      this.services.push(this.strings[id]);
      this.serviceIds.set(id, sv);
    }
    return sv;
  }

  private wait(hi: number, lo: number, raw: number): void {
    const k = key(hi, lo);
    const list = this.waiting.get(k);
    if (list) list.push(raw);
    else this.waiting.set(k, [raw]);
  }

  private ensureRows(rows: number): void {
    const cap = this.c.parent.length;
    if (rows > cap) {
      const next = Math.max(rows, cap * 2);
      const c = this.c as unknown as Record<keyof Cols, Column>;
      for (const k of KEYS) c[k] = resized(c[k], next, this.n);
    }
    // Every laid-out row has one arrival number: the index holds as many ids as there are rows.
    if (rows > this.ids.capacity) {
      const next = Math.max(rows, this.ids.capacity * 2);
      this.ids = this.ids.grown(next);
      this.rowOf = resized(this.rowOf, next, this.ids.size);
    }
  }

  private addEvents(batch: ColumnBatch, r: number, d: number): [number, number] {
    const from = batch.eventStart[r];
    const to = batch.eventStart[r + 1];
    const at = this.events;
    if (to <= from) return [at, at];
    if (at + to - from > this.eventMs.length) {
      const next = Math.max(at + to - from, this.eventMs.length * 2);
      this.eventMs = resized(this.eventMs, next, at);
      this.eventKind = resized(this.eventKind, next, at);
    }
    for (let e = from; e < to; e++) {
      this.eventMs[this.events] = (d + batch.eventNs[e]) / 1e6;
      this.eventKind[this.events++] = batch.eventKind[e];
    }
    return [at, this.events];
  }

  /**
   * Adds the spans of these batches. false: they cannot be placed without moving laid-out rows (see the
   * module comment); the model is then unusable and must be built whole from every batch.
   */
  append(batches: readonly ColumnBatch[]): boolean {
    let total = 0;
    for (const b of batches) {
      if (b.count && b.baseNsBig < this.baseNs) return false;
      total += b.count;
    }
    if (!total) return true;
    this.ensureRows(this.n + total);
    const c = this.c;
    const n = this.n;
    const nRaw = this.ids.size;
    // The new spans, by arrival (j = arrival number - nRaw); a repeated one overwrites its entry.
    const sStart = new Float64Array(total);
    const sFinish = new Float64Array(total);
    const sPHi = new Uint32Array(total);
    const sPLo = new Uint32Array(total);
    const sName = new Uint32Array(total);
    const sBox = new Uint32Array(total);
    const sService = new Uint32Array(total);
    const sStatus = new Uint8Array(total);
    const sKind = new Uint8Array(total);
    const sEvFrom = new Uint32Array(total);
    const sEvTo = new Uint32Array(total);
    let replaced = false;
    for (const b of batches) {
      const map = Uint32Array.from(b.strings, (s) => this.sid(s));
      const d = Number(b.baseNsBig - this.baseNs);
      for (let r = 0; r < b.count; r++) {
        const [hi, lo] = readId(b.spanId, r);
        const [ph, pl] = readId(b.parentId, r);
        const s = (d + b.start[r]) / 1e6;
        const f = Math.max(s, (d + b.end[r]) / 1e6);
        let raw = this.ids.find(hi, lo);
        if (raw >= 0 && raw < nRaw) {
          // A span sent again: its row is updated where it stands, unless its place in the tree changes.
          const i = this.rowOf[raw];
          if (c.start[i] !== s || c.parentHi[i] !== ph || c.parentLo[i] !== pl) return false;
          c.finish[i] = f;
          c.name[i] = map[b.name[r]];
          c.boxId[i] = map[b.boxId[r]];
          c.serviceOf[i] = this.serviceOfString(map[b.service[r]]);
          c.status[i] = b.status[r];
          c.kind[i] = b.kind[r];
          [c.eventStart[i], c.eventEnd[i]] = this.addEvents(b, r, d);
          replaced = true;
          continue;
        }
        if (raw < 0) raw = this.ids.add(hi, lo);
        const j = raw - nRaw;
        sStart[j] = s;
        sFinish[j] = f;
        sPHi[j] = ph;
        sPLo[j] = pl;
        sName[j] = map[b.name[r]];
        sBox[j] = map[b.boxId[r]];
        sService[j] = this.serviceOfString(map[b.service[r]]);
        sStatus[j] = b.status[r];
        sKind[j] = b.kind[r];
        [sEvFrom[j], sEvTo[j]] = this.addEvents(b, r, d);
      }
    }
    const k = this.ids.size - nRaw;

    // Parents: an old row, a new span, or none (a root, or an orphan that waits for its parent).
    const oldKids = new Map<number, number[]>();
    const newKids = new Map<number, number[]>();
    const topNew: number[] = [];
    const sOrphan = new Uint8Array(k);
    const orphansNow: number[] = [];
    const push = (m: Map<number, number[]>, p: number, x: number) => {
      const l = m.get(p);
      if (l) l.push(x);
      else m.set(p, [x]);
    };
    for (let j = 0; j < k; j++) {
      const ph = sPHi[j];
      const pl = sPLo[j];
      if (!ph && !pl) {
        topNew.push(j);
        continue;
      }
      const pr = this.ids.find(ph, pl);
      if (pr < 0 || pr === nRaw + j) {
        sOrphan[j] = 1;
        orphansNow.push(j);
        topNew.push(j);
      } else if (pr >= nRaw) push(newKids, pr - nRaw, ~j);
      else push(oldKids, this.rowOf[pr], j);
    }
    // Orphans laid out earlier whose parent is one of the new spans move under it, subtree and all.
    const moved = new Set<number>();
    if (this.waiting.size) {
      for (let j = 0; j < k; j++) {
        const wk = key(this.ids.hi[nRaw + j], this.ids.lo[nRaw + j]);
        const list = this.waiting.get(wk);
        if (!list) continue;
        this.waiting.delete(wk);
        for (const raw of list) {
          const o = this.rowOf[raw];
          if (c.parent[o] !== -1 || !c.orphan[o]) return false;
          moved.add(o);
          push(newKids, j, o);
        }
      }
    }
    for (const j of orphansNow) this.wait(sPHi[j], sPLo[j], nRaw + j);

    // Siblings in start order; on a tie, rows laid out earlier first, then arrival order (as a whole build).
    const startOf = (ref: number) => (ref >= 0 ? c.start[ref] : sStart[~ref]);
    const byNew = (a: number, b: number) => sStart[a] - sStart[b] || a - b;
    const byRef = (a: number, b: number) =>
      startOf(a) - startOf(b) || (a >= 0 ? (b >= 0 ? a - b : -1) : b >= 0 ? 1 : ~a - ~b);
    topNew.sort(byNew);
    for (const l of oldKids.values()) l.sort(byNew);
    for (const l of newKids.values()) l.sort(byRef);

    // Old rows whose subtree gains rows: each with those of its children that do too.
    const marked = new Map<number, number[]>();
    const topMarked: number[] = [];
    const markUp = (p: number) => {
      if (marked.has(p)) return;
      marked.set(p, []);
      for (let x = p; ;) {
        const q = c.parent[x];
        if (q < 0) {
          topMarked.push(x);
          return;
        }
        const l = marked.get(q);
        if (l) {
          l.push(x);
          return;
        }
        marked.set(q, [x]);
        x = q;
      }
    };
    for (const p of oldKids.keys()) markUp(p);

    // The first child of v in [lo, hi) that starts after t (hi if none): children are sorted by start.
    const insertAt = (v: number, lo: number, hi: number, t: number) => {
      while (lo < hi) {
        let a = (lo + hi) >>> 1;
        while (c.parent[a] !== v) a = c.parent[a];
        if (c.start[a] > t) hi = a;
        else lo = c.subtreeEnd[a];
      }
      return lo;
    };
    const eventsOf = (v: number, lo: number, hi: number): number[] => {
      const ev: number[][] = [];
      for (const j of (v < 0 ? topNew : oldKids.get(v)) ?? []) ev.push([insertAt(v, lo, hi, sStart[j]), 0, j]);
      for (const x of (v < 0 ? topMarked : marked.get(v)) ?? []) ev.push([x, v < 0 && moved.has(x) ? 2 : 1, x]);
      if (v < 0) for (const o of moved) if (!marked.has(o)) ev.push([o, 2, o]);
      ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return ev.flat();
    };

    // The new preorder as segments, walked with an explicit stack (deep chains never recurse).
    const segs: Segment[] = [];
    let out = 0;
    const stack: (OldFrame | NewFrame)[] = [];
    const block = (from: number, to: number, parentAt: number, dd: number, isMoved = false) => {
      segs.push({ t: 0, from, to, at: out, parentAt, dd, moved: isMoved });
      out += to - from;
    };
    const pushOld = (v: number, parentAt: number, dd: number, isMoved = false) => {
      const seg: Extract<Segment, { t: 1 }> = {
        t: 1,
        v,
        at: out++,
        parentAt,
        dd,
        add: oldKids.get(v)?.length ?? 0,
        end: 0,
        moved: isMoved,
      };
      segs.push(seg);
      const end = c.subtreeEnd[v];
      stack.push({
        old: true,
        seg,
        v,
        pos: v + 1,
        end,
        at: seg.at,
        dd,
        depth: c.depth[v] + dd,
        events: eventsOf(v, v + 1, end),
        ei: 0,
      });
    };
    const pushNew = (j: number, parentAt: number, depth: number) => {
      const kids = newKids.get(j) ?? [];
      const seg: Extract<Segment, { t: 2 }> = { t: 2, j, at: out++, parentAt, depth, kids: kids.length, end: 0 };
      segs.push(seg);
      stack.push({ old: false, seg, kids, ki: 0, at: seg.at, depth });
    };
    stack.push({
      old: true,
      seg: null,
      v: -1,
      pos: 0,
      end: n,
      at: -1,
      dd: 0,
      depth: -1,
      events: eventsOf(-1, 0, n),
      ei: 0,
    });
    let guard = 0;
    while (stack.length) {
      if (++guard > 4 * (n + k) + 16) return false;
      const f = stack[stack.length - 1];
      if (f.old) {
        if (f.ei < f.events.length) {
          const pos = f.events[f.ei];
          const type = f.events[f.ei + 1];
          const ref = f.events[f.ei + 2];
          f.ei += 3;
          if (pos > f.pos) block(f.pos, pos, f.at, f.dd);
          f.pos = Math.max(f.pos, pos);
          if (type === 0) pushNew(ref, f.at, f.depth + 1);
          else {
            f.pos = c.subtreeEnd[ref];
            if (type === 1) pushOld(ref, f.at, f.dd);
          }
        } else {
          if (f.end > f.pos) block(f.pos, f.end, f.at, f.dd);
          stack.pop();
          if (f.seg) f.seg.end = out;
        }
      } else if (f.ki < f.kids.length) {
        const ref = f.kids[f.ki++];
        if (ref < 0) pushNew(~ref, f.at, f.depth + 1);
        else if (marked.has(ref)) pushOld(ref, f.at, f.depth + 1, true);
        else block(ref, c.subtreeEnd[ref], f.at, f.depth + 1, true);
      } else {
        stack.pop();
        f.seg.end = out;
      }
    }
    // Spans in a parent cycle are never reached from a root: a whole build shows them as orphans.
    if (out !== n + k) return false;

    // Rows before x keep their place. From x on, without moved orphans every row only moves later: the
    // segments are written last to first, each moved within the columns (copyWithin), so no source is
    // overwritten before it is read. A moved orphan can move a subtree earlier: then the old tail is copied
    // first and written from the copy.
    let x = n + k;
    for (const s of segs) {
      if (s.t === 2 || (s.t === 0 && s.at !== s.from) || (s.t === 1 && s.at !== s.v)) {
        x = s.at;
        break;
      }
    }
    const inPlace = moved.size === 0;
    const old = {} as Record<keyof Cols, Column>;
    if (!inPlace) for (const key of KEYS) old[key] = c[key].slice(x, n);
    const cols = c as unknown as Record<keyof Cols, Column>;
    let maxDepth = this.maxDepth;
    for (let q = 0; q < segs.length; q++) {
      const s = segs[inPlace ? segs.length - 1 - q : q];
      if (s.t === 0) {
        if (s.at < x) continue;
        const len = s.to - s.from;
        if (inPlace) for (const key of KEYS) cols[key].copyWithin(s.at, s.from, s.to);
        else
          for (const key of KEYS)
            (cols[key] as Uint32Array).set((old[key] as Uint32Array).subarray(s.from - x, s.to - x), s.at);
        // The rows hold their old values now: shift their indexes.
        const shift = s.at - s.from;
        for (let i = s.at; i < s.at + len; i++) {
          const op = c.parent[i];
          c.parent[i] = op >= s.from ? op + shift : s.parentAt;
          c.subtreeEnd[i] += shift;
          if (s.dd) {
            const dep = (c.depth[i] += s.dd);
            if (dep > maxDepth) maxDepth = dep;
          }
          this.rowOf[c.rawOf[i]] = i;
        }
        if (s.moved) c.orphan[s.at] = 0;
      } else if (s.t === 1) {
        if (s.at < x) {
          c.childCount[s.v] += s.add;
          c.subtreeEnd[s.v] = s.end;
          continue;
        }
        if (inPlace) for (const key of KEYS) cols[key][s.at] = cols[key][s.v];
        else for (const key of KEYS) cols[key][s.at] = old[key][s.v - x];
        c.parent[s.at] = s.parentAt;
        c.depth[s.at] += s.dd;
        if (c.depth[s.at] > maxDepth) maxDepth = c.depth[s.at];
        c.childCount[s.at] += s.add;
        c.subtreeEnd[s.at] = s.end;
        if (s.moved) c.orphan[s.at] = 0;
        this.rowOf[c.rawOf[s.at]] = s.at;
      } else {
        const i = s.at;
        const j = s.j;
        const raw = nRaw + j;
        c.parent[i] = s.parentAt;
        c.depth[i] = s.depth;
        if (s.depth > maxDepth) maxDepth = s.depth;
        c.subtreeEnd[i] = s.end;
        c.childCount[i] = s.kids;
        c.rawOf[i] = raw;
        c.start[i] = sStart[j];
        c.finish[i] = sFinish[j];
        c.orphan[i] = sOrphan[j];
        c.status[i] = sStatus[j];
        c.kind[i] = sKind[j];
        c.idHi[i] = this.ids.hi[raw];
        c.idLo[i] = this.ids.lo[raw];
        c.parentHi[i] = sPHi[j];
        c.parentLo[i] = sPLo[j];
        c.name[i] = sName[j];
        c.boxId[i] = sBox[j];
        c.serviceOf[i] = sService[j];
        c.eventStart[i] = sEvFrom[j];
        c.eventEnd[i] = sEvTo[j];
        this.rowOf[raw] = i;
      }
    }
    this.n = n + k;
    this.maxDepth = maxDepth;
    this.orphanCount += orphansNow.length - moved.size;
    // Errors: those before x stand (unless a span sent again changed its status); the rest are read again.
    const errors: number[] = [];
    const from = replaced ? 0 : x;
    for (const e of this.errors) {
      if (e >= from) break;
      errors.push(e);
    }
    for (let i = from; i < this.n; i++) if (c.status[i] === 2) errors.push(i);
    this.errors = Int32Array.from(errors);
    return true;
  }

  /** The model as it stands: views over the live columns (a later append changes what they show). */
  model(): TraceModel {
    const n = this.n;
    const c = this.c;
    const ids = this.ids;
    const rowOf = this.rowOf;
    const find = (hi: number, lo: number) => {
      const r = ids.find(hi, lo);
      return r < 0 ? -1 : rowOf[r];
    };
    return {
      traceId: this.traceId,
      size: n,
      parent: c.parent.subarray(0, n),
      depth: c.depth.subarray(0, n),
      subtreeEnd: c.subtreeEnd.subarray(0, n),
      childCount: c.childCount.subarray(0, n),
      start: c.start.subarray(0, n),
      finish: c.finish.subarray(0, n),
      baseMs: this.baseMs,
      orphan: c.orphan.subarray(0, n),
      orphanCount: this.orphanCount,
      idHi: c.idHi.subarray(0, n),
      idLo: c.idLo.subarray(0, n),
      parentHi: c.parentHi.subarray(0, n),
      parentLo: c.parentLo.subarray(0, n),
      ids: {
        find,
        findHex(hex: string) {
          const id = parseIdHex(hex);
          return id ? find(id[0], id[1]) : -1;
        },
      },
      strings: this.strings,
      name: c.name.subarray(0, n),
      boxId: c.boxId.subarray(0, n),
      services: this.services,
      serviceOf: c.serviceOf.subarray(0, n),
      status: c.status.subarray(0, n),
      kind: c.kind.subarray(0, n),
      eventStart: c.eventStart.subarray(0, n),
      eventEnd: c.eventEnd.subarray(0, n),
      // The whole buffers (not views of the used part): rows only read their own ranges, and the
      // identity stays the same from one append to the next until the buffers grow.
      eventMs: this.eventMs,
      eventKind: this.eventKind,
      errors: this.errors,
      maxDepth: this.maxDepth,
    };
  }
}
