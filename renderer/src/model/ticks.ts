/**
 * Round axis ticks: steps of 1, 2 or 5 × 10^k ms, so a scale reads 0, 50 ms,
 * 100 ms… instead of 0, 37.2 ms, 74.4 ms. Pure, so it is tested alone.
 */

/** The round step that puts about `target` ticks across `span` ms (never 0, never NaN). */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const eps = 1e-9;
  const nice = f <= 1 + eps ? 1 : f <= 2 + eps ? 2 : f <= 5 + eps ? 5 : 10;
  return nice * mag;
}

/** Tick times (ms) at multiples of the round step inside [from, to], with their place (0…1) on the scale. */
export function roundTicks(from: number, to: number, target = 5): Array<{ at: number; frac: number }> {
  const span = to - from;
  if (!(span > 0) || !Number.isFinite(span)) return [{ at: from, frac: 0 }];
  const step = niceStep(span, target);
  const out: Array<{ at: number; frac: number }> = [];
  // Snap to the step so 0.1 + 0.2 style drift never shows as 0.30000000000000004 ms.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = Math.ceil(from / step); k * step <= to + step * 1e-9 && out.length < 100; k++) {
    const at = Number((k * step).toFixed(decimals));
    out.push({ at, frac: (at - from) / span });
  }
  return out;
}

/** A tick's label: the duration without trailing zeros (`1 s`, `1.5 s`, `200 ms`). */
export function tickLabel(text: string): string {
  return text.replace(/^(-?\d+)\.(\d*?)0+(?= )/, (_m, a: string, b: string) => (b ? `${a}.${b}` : a));
}
