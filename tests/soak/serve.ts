/**
 * A real `boxscope serve` (the CLI bundle, in its own process) for the soak: its
 * browser-mode WebSocket (shared/wire.ts), its OTLP receiver, and its resident
 * memory read from /proc while the soak runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import WebSocket from 'ws';
import { BIN, ROOT } from '../fixtures/index.js';

export interface Serve {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  otlp: string;
  stderr(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startServe(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Serve> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--otlp-port', '0'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  let exited = false;
  const gone = new Promise<void>((r) =>
    child.on('exit', () => {
      exited = true;
      r();
    }),
  );
  const { url, otlp } = await new Promise<{ url: string; otlp: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const u = /Boxscope UI:\s+(\S+)/.exec(out);
      const o = /OTLP receiver:\s+(\S+)/.exec(out);
      if (u && o) {
        clearTimeout(timer);
        resolve({ url: u[1]!, otlp: o[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
  const u = new URL(url);
  return {
    child,
    pid: child.pid!,
    url,
    port: Number(u.port),
    token: u.searchParams.get('token')!,
    otlp,
    stderr: () => err,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** Resident memory of a process, MB: the current value and the kernel's high-water mark. */
export function rssMb(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples RSS every `everyMs` until stopped; `peak()` is the larger of the samples and VmHWM. */
export function sampleRss(pid: number, everyMs = 200): { peak(): number; stop(): number } {
  let peak = 0;
  // Resets the kernel's high-water mark (proc(5), clear_refs 5) so each family measures its own peak.
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not ours to reset: the samples alone then
  }
  const take = () => {
    try {
      const r = rssMb(pid);
      peak = Math.max(peak, r.rss, r.hwm);
    } catch {
      // the process is gone; the caller sees that on its own
    }
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    peak: () => peak,
    stop: () => {
      take();
      clearInterval(t);
      return Math.round(peak);
    },
  };
}

export interface WireReply {
  t: string;
  id: number | null;
  result?: unknown;
  error?: { code: string; message: string };
  data?: unknown;
}

/** A raw WebSocket on serve's /api with the valid token; replies kept by id. */
export class WireConn {
  ws: WebSocket;
  private waiters = new Map<number | null, Array<(m: WireReply) => void>>();
  nullErrors: WireReply[] = [];
  closed = false;
  closeCode?: number;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as WireReply;
      const list = this.waiters.get(m.id);
      if (list?.length) list.shift()!(m);
      else if (m.id === null) this.nullErrors.push(m);
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
    ws.on('error', () => undefined);
  }

  static open(s: Pick<Serve, 'port' | 'token'>): Promise<WireConn> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { maxPayload: 512 * 1024 * 1024 });
      ws.once('open', () => resolve(new WireConn(ws)));
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The next reply naming `id` (null: an unattributable error); rejects after `timeoutMs`. */
  next(id: number | null, timeoutMs = 30_000): Promise<WireReply> {
    if (id === null && this.nullErrors.length) return Promise.resolve(this.nullErrors.shift()!);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to id ${id} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(id) ?? [];
      list.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
      this.waiters.set(id, list);
    });
  }

  send(frame: string | Buffer): void {
    this.ws.send(frame);
  }

  async call<T = unknown>(id: number, channel: string, arg?: unknown, timeoutMs = 120_000): Promise<T> {
    const p = this.next(id, timeoutMs);
    this.send(JSON.stringify({ t: 'call', id, channel, arg }));
    const m = await p;
    if (m.t !== 'ok') throw new Error(`${channel}: ${m.error?.code} ${m.error?.message}`);
    return m.result as T;
  }

  close(): void {
    this.ws.terminate();
  }
}
