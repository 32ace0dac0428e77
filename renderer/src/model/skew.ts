import { SERVICE, SPAN } from '../../../shared/constants.js';
import { boxIdOf, nameOf, type TraceModel } from './trace-model.js';

export interface SkewAdjustment {
  /** Preorder index of the box-side span whose subtree was shifted. */
  index: number;
  /** Added to every time in that subtree; positive moves it later. */
  shiftMs: number;
}

export interface SkewResult {
  start: Float64Array;
  finish: Float64Array;
  adjustments: SkewAdjustment[];
  /** The largest shift by magnitude, 0 when the clocks agree. */
  maxShiftMs: number;
}

const isBoxSide = (service: string) => service === SERVICE.daemon;
const isBoot = (name: string) => name === SPAN.sandboxBoot || name === SPAN.boxBoot;

/** Host spans of one name, by the box they belong to ('' when a span names none). */
function hostSpansByBox(m: TraceModel, name: string, boxSide: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  // The string table holds each string once: compare ids, not names (this runs on every live update).
  const id = m.strings.indexOf(name);
  if (id < 0) return out;
  for (let i = 0; i < m.size; i++) {
    if (m.name[i] !== id || boxSide[m.serviceOf[i]]) continue;
    out.set(boxIdOf(m, i), i);
  }
  return out;
}

function forBox(spans: Map<string, number>, boxId: string): number | undefined {
  return spans.get(boxId) ?? (spans.size === 1 ? spans.values().next().value : undefined);
}

/**
 * Host spans (UI, runner) and box spans (daemon) may come from different
 * clocks (an engine in a VM). Only what causality rules out counts as skew:
 * a box span cannot start before its host parent, nor before the engine was
 * asked to start the box (`container.start`), and the daemon's boot span
 * must have ended before the runner received it (`daemon.wait` ended). A box
 * span that merely starts after its parent ended is not skew: the runner's
 * `container.create` injects the traceparent and ends before the box boots.
 * Where a rule is broken the whole box subtree is shifted, the least that
 * satisfies it. One pass in preorder: a child inherits its parent's shift
 * and adds its own at a host→box boundary.
 */
export function adjustClockSkew(m: TraceModel, toleranceMs = 0): SkewResult {
  // No box-side spans, nothing to shift: the recorded times as they are (a live update of a large trace
  // without a daemon costs no pass over it).
  if (!m.services.some(isBoxSide)) return { start: m.start, finish: m.finish, adjustments: [], maxShiftMs: 0 };
  const n = m.size;
  const shift = new Float64Array(n);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const adjustments: SkewAdjustment[] = [];
  const boxSide = Uint8Array.from(m.services, (s) => (isBoxSide(s) ? 1 : 0));
  const containerStarts = hostSpansByBox(m, SPAN.containerStart, boxSide);
  const daemonWaits = hostSpansByBox(m, SPAN.daemonWait, boxSide);
  let maxShiftMs = 0;
  for (let i = 0; i < n; i++) {
    const p = m.parent[i];
    let s = p >= 0 ? shift[p] : 0;
    if (p >= 0 && boxSide[m.serviceOf[i]] && !boxSide[m.serviceOf[p]]) {
      const boxId = boxIdOf(m, i);
      const started = forBox(containerStarts, boxId);
      const waited = isBoot(nameOf(m, i)) ? forBox(daemonWaits, boxId) : undefined;
      // Host spans keep their own clock, and these two may come later in preorder: read their raw times.
      const lower = Math.max(start[p], started === undefined ? -Infinity : m.start[started]);
      const upper = waited === undefined ? Infinity : m.finish[waited];
      const cs = m.start[i] + s;
      const ce = m.finish[i] + s;
      let own = 0;
      if (cs < lower - toleranceMs) own = lower - cs;
      else if (ce > upper + toleranceMs) own = Math.max(upper - ce, lower - cs);
      if (own !== 0) {
        s += own;
        adjustments.push({ index: i, shiftMs: own });
        if (Math.abs(own) > Math.abs(maxShiftMs)) maxShiftMs = own;
      }
    }
    shift[i] = s;
    start[i] = m.start[i] + s;
    finish[i] = m.finish[i] + s;
  }
  return { start, finish, adjustments, maxShiftMs };
}
