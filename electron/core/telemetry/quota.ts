/**
 * Per-box quotas on what a box may send through its channel to the app: a
 * rate (spans and bytes per second, with a burst of a few seconds, as token
 * buckets) and a total for the box's life in this process. Over the rate a
 * box gets OTLP's retryable answer (429 with Retry-After, the exporter backs
 * off); over the total its spans are refused with a partial success (the
 * exporter drops them). Local apps and collectors exporting without a box
 * token are not boxes and are not limited here. Retention (the store's byte
 * and trace budgets) is the other half: it never evicts a box's launch trace
 * to make room for another box's spans.
 */

export interface QuotaLimits {
  spansPerSec: number;
  bytesPerSec: number;
  /** Bucket size, in seconds of the rate: how long a box may send above it. */
  burstSeconds: number;
  totalSpans: number;
  totalBytes: number;
}

export const DEFAULT_QUOTA: QuotaLimits = {
  spansPerSec: 20_000,
  bytesPerSec: 32 * 1024 * 1024,
  burstSeconds: 5,
  totalSpans: 2_000_000,
  totalBytes: 2 * 1024 * 1024 * 1024,
};

export type Admission =
  | { ok: true }
  | { ok: false; kind: 'rate'; retryAfterS: number; reason: string }
  | { ok: false; kind: 'total'; reason: string };

interface Usage {
  spanTokens: number;
  byteTokens: number;
  at: number;
  spans: number;
  bytes: number;
}

/** Boxes remembered at most (oldest forgotten first): ids come from tokens, but bound it anyway. */
const MAX_BOXES = 10_000;

function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v && Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Limits from the core's env (see docs/CONTRACTS.md), the defaults where unset. */
export function quotaFromEnv(env: NodeJS.ProcessEnv): QuotaLimits {
  return {
    spansPerSec: positive(env.BOXSCOPE_BOX_SPANS_PER_SEC, DEFAULT_QUOTA.spansPerSec),
    bytesPerSec: positive(env.BOXSCOPE_BOX_BYTES_PER_SEC, DEFAULT_QUOTA.bytesPerSec),
    burstSeconds: DEFAULT_QUOTA.burstSeconds,
    totalSpans: positive(env.BOXSCOPE_BOX_MAX_SPANS, DEFAULT_QUOTA.totalSpans),
    totalBytes: positive(env.BOXSCOPE_BOX_MAX_BYTES, DEFAULT_QUOTA.totalBytes),
  };
}

export class BoxQuotas {
  private readonly usage = new Map<string, Usage>();

  constructor(
    readonly limits: QuotaLimits = DEFAULT_QUOTA,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts a request of `spans` spans and `bytes` bytes against the box, or says why not (counting nothing). */
  admit(boxId: string, spans: number, bytes: number): Admission {
    const l = this.limits;
    const t = this.now();
    let u = this.usage.get(boxId);
    if (!u) {
      if (this.usage.size >= MAX_BOXES) this.usage.delete(this.usage.keys().next().value!);
      u = {
        spanTokens: l.spansPerSec * l.burstSeconds,
        byteTokens: l.bytesPerSec * l.burstSeconds,
        at: t,
        spans: 0,
        bytes: 0,
      };
      this.usage.set(boxId, u);
    }
    const dt = Math.max(0, (t - u.at) / 1000);
    u.at = t;
    u.spanTokens = Math.min(l.spansPerSec * l.burstSeconds, u.spanTokens + dt * l.spansPerSec);
    u.byteTokens = Math.min(l.bytesPerSec * l.burstSeconds, u.byteTokens + dt * l.bytesPerSec);
    if (u.spans + spans > l.totalSpans || u.bytes + bytes > l.totalBytes) {
      return {
        ok: false,
        kind: 'total',
        reason: `box ${boxId} reached its quota of ${l.totalSpans} spans / ${Math.round(l.totalBytes / 2 ** 20)} MiB`,
      };
    }
    if (spans > u.spanTokens || bytes > u.byteTokens) {
      const wait = Math.max((spans - u.spanTokens) / l.spansPerSec, (bytes - u.byteTokens) / l.bytesPerSec);
      return {
        ok: false,
        kind: 'rate',
        retryAfterS: Math.max(1, Math.ceil(wait)),
        reason: `box ${boxId} is sending more than ${l.spansPerSec} spans/s or ${Math.round(l.bytesPerSec / 2 ** 20)} MiB/s`,
      };
    }
    u.spanTokens -= spans;
    u.byteTokens -= bytes;
    u.spans += spans;
    u.bytes += bytes;
    return { ok: true };
  }

  forget(boxId: string): void {
    this.usage.delete(boxId);
  }
}
