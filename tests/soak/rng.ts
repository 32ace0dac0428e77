/** A seeded generator (mulberry32) so a soak failure reproduces from the seed it prints. */
export interface Rng {
  seed: number;
  /** [0, 1). */
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  bytes(n: number): Buffer;
  hex(bytes: number): string;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const bytes = (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
    return b;
  };
  return {
    seed,
    next,
    int,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    bytes,
    hex: (n) => bytes(n).toString('hex'),
    chance: (p) => next() < p,
  };
}

/** SOAK_SEED from the environment, else a fresh one (printed with every row). */
export function soakSeed(): number {
  const s = Number(process.env.SOAK_SEED);
  return Number.isInteger(s) && s > 0 ? s : Math.floor(Math.random() * 2 ** 31) + 1;
}
