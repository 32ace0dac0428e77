/**
 * Span times arrive as nanosecond strings since the epoch. A double cannot
 * hold them exactly, so each is split into whole milliseconds and a
 * fraction and stored relative to the trace's earliest millisecond.
 */
export function nsToMsParts(ns: string): [number, number] {
  if (ns.length <= 6) return [0, Number(ns) / 1e6];
  return [Number(ns.slice(0, -6)), Number(ns.slice(-6)) / 1e6];
}

export function nsToEpochMs(ns: string): number {
  const [whole, frac] = nsToMsParts(ns);
  return whole + frac;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs >= 60_000) {
    const m = Math.floor(abs / 60_000);
    const s = (abs - m * 60_000) / 1000;
    return `${sign}${m}m ${s.toFixed(s >= 10 ? 0 : 1)}s`;
  }
  if (abs >= 1000) return `${sign}${(abs / 1000).toFixed(abs >= 10_000 ? 1 : 2)} s`;
  if (abs >= 1) return `${sign}${abs.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2)} ms`;
  if (abs === 0) return '0 ms';
  return `${sign}${(abs * 1000).toFixed(abs * 1000 >= 10 ? 0 : 1)} µs`;
}
