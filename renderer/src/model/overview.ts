import type { TraceModel } from './trace-model.js';

export type Rgb = readonly [number, number, number];

export const hexRgb = (hex: string): Rgb => {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
};

/**
 * The whole trace as a width × height picture for the minimap, in one pass
 * over the spans plus one over the pixels: each pixel row is a band of
 * consecutive preorder rows, each column a slice of time. A pixel is lit
 * when some span of its band covers its time, stronger the more do, in the
 * colour of the band's most frequent service; red when an error span does.
 * Difference arrays keep a long span O(1), so a million spans cost a few
 * milliseconds, done once per model and clock mode, never per frame.
 */
export function overviewPixels(
  m: TraceModel,
  start: Float64Array,
  finish: Float64Array,
  bounds: { min: number; max: number },
  width: number,
  height: number,
  colors: readonly Rgb[],
  errorColor: Rgb,
): Uint8ClampedArray<ArrayBuffer> {
  const n = m.size;
  const W = width + 1;
  const cover = new Int32Array(height * W);
  const errors = new Int32Array(height * W);
  const services = m.services.length;
  const perService = services * height <= 1 << 22;
  const bandCount = perService ? new Int32Array(services * height) : null;
  const bandFirst = new Int32Array(height).fill(-1);
  const span = bounds.max - bounds.min || 1;
  const scale = width / span;
  for (let i = 0; i < n; i++) {
    const y = Math.min(height - 1, Math.floor((i * height) / n));
    let x0 = Math.floor((start[i] - bounds.min) * scale);
    let x1 = Math.floor((finish[i] - bounds.min) * scale);
    if (x0 < 0) x0 = 0;
    if (x1 >= width) x1 = width - 1;
    if (x1 < x0) x1 = x0;
    if (x0 >= width) continue;
    const o = y * W;
    const target = m.status[i] === 2 ? errors : cover;
    target[o + x0]++;
    target[o + x1 + 1]--;
    if (bandCount) bandCount[y * services + m.serviceOf[i]]++;
    if (bandFirst[y] < 0) bandFirst[y] = i;
  }
  const px = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    let best = bandFirst[y] >= 0 ? m.serviceOf[bandFirst[y]] : 0;
    if (bandCount) {
      let most = -1;
      for (let s = 0; s < services; s++) {
        const c = bandCount[y * services + s];
        if (c > most) {
          most = c;
          best = s;
        }
      }
    }
    const rgb = colors[best] ?? colors[0] ?? errorColor;
    let c = 0;
    let e = 0;
    const o = y * W;
    for (let x = 0; x < width; x++) {
      c += cover[o + x];
      e += errors[o + x];
      if (!c && !e) continue;
      const p = (y * width + x) * 4;
      const color = e ? errorColor : rgb;
      px[p] = color[0];
      px[p + 1] = color[1];
      px[p + 2] = color[2];
      // One span shows clearly; dense bands saturate.
      px[p + 3] = e ? 255 : Math.min(255, 110 + 40 * Math.log2(c));
    }
  }
  return px;
}
