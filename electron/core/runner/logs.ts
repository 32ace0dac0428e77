/** The engine's multiplexed log format (8-byte frame headers when the box has no TTY). Pure. */

export interface LogFrame {
  stream: 'stdout' | 'stderr';
  text: string;
}

export function demuxLogs(buf: Buffer): LogFrame[] {
  const out: LogFrame[] = [];
  let i = 0;
  const looksFramed =
    buf.length >= 8 && (buf[0] === 1 || buf[0] === 2 || buf[0] === 0) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!looksFramed) return buf.length ? [{ stream: 'stdout', text: buf.toString('utf8') }] : [];
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const body = buf.subarray(i + 8, i + 8 + size);
    out.push({ stream: type === 2 ? 'stderr' : 'stdout', text: body.toString('utf8') });
    i += 8 + size;
  }
  return out;
}

/** Incremental demuxer for a followed log stream. */
export class LogDemuxer {
  private pending = Buffer.alloc(0);
  push(chunk: Buffer): LogFrame[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: LogFrame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push({
        stream: this.pending[0] === 2 ? 'stderr' : 'stdout',
        text: this.pending.subarray(8, 8 + size).toString('utf8'),
      });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }
}

export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n);
}

/** The engine's RFC 3339 timestamp and one space, at the start of each line when asked for. */
const STAMP_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) /;

/**
 * A frame of timestamped output as one piece per line, each with its time. A
 * line the engine split (over 16 KiB) carries a stamp on each part: the stamp
 * is dropped and the text kept whole. Text without a stamp passes unchanged.
 */
export function splitStamped(text: string): Array<{ text: string; time?: string }> {
  const out: Array<{ text: string; time?: string }> = [];
  for (const piece of text.split(/(?<=\n)/)) {
    const m = STAMP_RE.exec(piece);
    out.push(m ? { text: piece.slice(m[0].length), time: m[1] } : { text: piece });
  }
  return out;
}
