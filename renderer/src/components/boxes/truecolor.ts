/**
 * xterm's DOM renderer draws 24-bit colours (SGR `38;2;r;g;b`, `48;2;…`) as
 * style attributes, which the app's CSP refuses. Box output passes through
 * here first: such colours become the nearest colour of the 256-colour
 * palette, which the renderer draws with classes. Sequences split across
 * output items are held back until complete.
 */

/* eslint-disable no-control-regex -- terminal output is made of control sequences */
const SGR = /\x1b\[([0-9;:]*)m/g;
/** An SGR (or any CSI) still open at the end of an item: kept for the next one. */
const OPEN_TAIL = /\x1b(\[[0-9;:]*)?$/;
/* eslint-enable no-control-regex */

const LEVELS = [0, 95, 135, 175, 215, 255];

const clamp = (v: number) => (Number.isFinite(v) ? Math.min(255, Math.max(0, Math.round(v))) : 0);

/** The xterm-256 index nearest to an RGB colour (the 6×6×6 cube or the grey ramp). */
export function nearest256(r: number, g: number, b: number): number {
  const [R, G, B] = [clamp(r), clamp(g), clamp(b)];
  const level = (v: number) =>
    LEVELS.reduce((best, l, i) => (Math.abs(l - v) < Math.abs(LEVELS[best] - v) ? i : best), 0);
  const [lr, lg, lb] = [level(R), level(G), level(B)];
  const cube = 16 + 36 * lr + 6 * lg + lb;
  const dCube = (LEVELS[lr] - R) ** 2 + (LEVELS[lg] - G) ** 2 + (LEVELS[lb] - B) ** 2;
  const avg = (R + G + B) / 3;
  const gi = Math.min(23, Math.max(0, Math.round((avg - 8) / 10)));
  const grey = 8 + gi * 10;
  const dGrey = (grey - R) ** 2 + (grey - G) ** 2 + (grey - B) ** 2;
  return dGrey < dCube ? 232 + gi : cube;
}

/** One SGR's parameters with 24-bit foreground/background colours made 256-colour ones. */
export function downgradeParams(p: string): string {
  const parts = p.split(';');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const x = parts[i];
    if (x.includes(':')) {
      const sub = x.split(':');
      if ((sub[0] === '38' || sub[0] === '48') && sub[1] === '2' && sub.length >= 5) {
        const [r, g, b] = sub.slice(-3).map(Number);
        out.push(`${sub[0]};5;${nearest256(r, g, b)}`);
      } else out.push(x);
      continue;
    }
    if ((x === '38' || x === '48' || x === '58') && parts[i + 1] === '5') {
      out.push(x, '5', parts[i + 2] ?? '0');
      i += 2;
    } else if ((x === '38' || x === '48') && parts[i + 1] === '2') {
      const [r, g, b] = parts.slice(i + 2, i + 5).map(Number);
      out.push(x, '5', String(nearest256(r, g, b)));
      i += 4;
    } else out.push(x);
  }
  return out.join(';');
}

export class TruecolorDowngrade {
  private carry = '';

  push(text: string): string {
    let t = this.carry + text;
    this.carry = '';
    const open = OPEN_TAIL.exec(t);
    // A bounded tail only: a never-ending "sequence" is passed on as it is.
    if (open && open[0].length <= 256) {
      this.carry = open[0];
      t = t.slice(0, open.index);
    }
    return t.replace(SGR, (all, p: string) => (p.includes('2') ? `\x1b[${downgradeParams(p)}m` : all));
  }
}
