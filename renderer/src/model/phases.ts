import { SPAN } from '../../../shared/constants.js';
import type { TraceModel } from './trace-model.js';

export type PhaseKey = 'auth' | 'pull' | 'create' | 'start' | 'boot';

export const PHASES: ReadonlyArray<{ key: PhaseKey; label: string; names: readonly string[] }> = [
  { key: 'auth', label: 'Auth', names: [SPAN.registryAuth] },
  { key: 'pull', label: 'Pull', names: [SPAN.imagePull] },
  { key: 'create', label: 'Create', names: [SPAN.containerCreate] },
  { key: 'start', label: 'Start', names: [SPAN.containerStart] },
  { key: 'boot', label: 'Boot', names: [SPAN.sandboxBoot, SPAN.boxBoot] },
];

export interface Phase {
  key: PhaseKey;
  label: string;
  /** First span of the phase, or -1 when the trace has none. */
  index: number;
  count: number;
  /** Extent of all the phase's spans, relative to the trace. */
  startMs: number;
  durationMs: number;
  error: boolean;
}

export function phaseSummary(m: TraceModel, start: Float64Array, finish: Float64Array): Phase[] {
  const byName = new Map<string, number>();
  PHASES.forEach((p, k) => p.names.forEach((name) => byName.set(name, k)));
  const acc = PHASES.map((p) => ({
    key: p.key,
    label: p.label,
    index: -1,
    count: 0,
    from: Infinity,
    to: -Infinity,
    error: false,
  }));
  // Phase of each string-table id, so the pass over the spans compares integers (a live trace runs it per update).
  const phaseOf = new Int8Array(m.strings.length).fill(-1);
  m.strings.forEach((s, id) => (phaseOf[id] = byName.get(s) ?? -1));
  for (let i = 0; i < m.size; i++) {
    const k = phaseOf[m.name[i]];
    if (k < 0) continue;
    const a = acc[k];
    if (a.index < 0) a.index = i;
    a.count++;
    if (start[i] < a.from) a.from = start[i];
    if (finish[i] > a.to) a.to = finish[i];
    if (m.status[i] === 2) a.error = true;
  }
  return acc.map((a) => ({
    key: a.key,
    label: a.label,
    index: a.index,
    count: a.count,
    startMs: a.count ? a.from : 0,
    durationMs: a.count ? a.to - a.from : 0,
    error: a.error,
  }));
}

export interface PhaseComparison {
  key: PhaseKey;
  label: string;
  a?: number;
  b?: number;
  /** b − a in milliseconds when both have the phase. */
  deltaMs?: number;
}

export function comparePhases(a: Phase[], b: Phase[]): PhaseComparison[] {
  return PHASES.map((p) => {
    const pa = a.find((x) => x.key === p.key);
    const pb = b.find((x) => x.key === p.key);
    const da = pa && pa.count ? pa.durationMs : undefined;
    const db = pb && pb.count ? pb.durationMs : undefined;
    return {
      key: p.key,
      label: p.label,
      a: da,
      b: db,
      deltaMs: da !== undefined && db !== undefined ? db - da : undefined,
    };
  });
}
