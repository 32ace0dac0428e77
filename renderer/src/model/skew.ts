import { SERVICE } from '../../../shared/constants.js';
import type { TraceModel } from './trace-model.js';

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

/**
 * Host spans (UI, runner) and box spans (daemon) come from different clocks.
 * Where a box span sits outside its host parent — it starts before the
 * parent, or ends after it while being short enough to fit — the whole box
 * subtree is shifted to fit, the way a reader would mentally correct it. One pass in preorder: a child inherits
 * its parent's shift and adds its own at a host→box boundary.
 */
export function adjustClockSkew(m: TraceModel, toleranceMs = 0): SkewResult {
  const n = m.size;
  const shift = new Float64Array(n);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const adjustments: SkewAdjustment[] = [];
  let maxShiftMs = 0;
  for (let i = 0; i < n; i++) {
    const p = m.parent[i];
    let s = p >= 0 ? shift[p] : 0;
    if (p >= 0 && isBoxSide(m.services[m.serviceOf[i]]) && !isBoxSide(m.services[m.serviceOf[p]])) {
      const ps = start[p];
      const pe = finish[p];
      const cs = m.start[i] + s;
      const ce = m.finish[i] + s;
      let own = 0;
      if (cs < ps - toleranceMs) {
        // Starting before the parent is causally impossible: the box clock is behind.
        own = ps - cs;
      } else if (ce > pe + toleranceMs && ce - cs <= pe - ps) {
        // Ending late is only clock skew when the span would fit; a longer span is async work outliving its parent.
        own = Math.max(pe - ce, ps - cs);
      }
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
