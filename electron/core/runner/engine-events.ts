/** The engine's container events keep box states current; the stream reconnects after an engine restart. */
import type Docker from 'dockerode';
import { containerEvents, type EngineEvent } from '../docker/engine-api.js';

const REWATCH_MS = 2000;

export class EngineWatch {
  private watching?: AbortController;
  private closed = false;

  constructor(
    private readonly docker: () => Docker,
    private readonly labels: string[],
    private readonly onEvent: (ev: EngineEvent, line: string) => void,
    /** Called when the stream is open again after it was lost: states may have moved meanwhile. */
    private readonly onReconnect: () => void,
  ) {}

  /** Never keeps a CLI process alive on its own (the socket is unref'd). */
  ensure(reconnect = false): void {
    if (this.watching || this.closed) return;
    const ac = new AbortController();
    this.watching = ac;
    containerEvents(this.docker(), this.labels, ac.signal)
      .then((s) => {
        if (reconnect) this.onReconnect();
        let buf = '';
        s.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            try {
              this.onEvent(JSON.parse(line) as EngineEvent, line);
            } catch {
              // Not an event line.
            }
          }
        });
        s.on('error', () => undefined);
        s.on('close', () => this.rewatch(ac));
      })
      .catch(() => this.rewatch(ac));
  }

  private rewatch(ac: AbortController): void {
    if (this.watching !== ac) return;
    this.watching = undefined;
    if (ac.signal.aborted || this.closed) return;
    setTimeout(() => this.ensure(true), REWATCH_MS).unref();
  }

  close(): void {
    this.closed = true;
    this.watching?.abort();
  }
}
