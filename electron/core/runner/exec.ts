/**
 * Terminal sessions in running boxes (`boxes:exec`): an engine exec with a
 * TTY, its output decoded as a UTF-8 stream and sent in bounded, coalesced
 * chunks, its input and size from `boxes:execInput` / `boxes:execResize`.
 * Each session is a `box.exec` span in the box's latest trace, holding the
 * command and exit code, never what was typed or shown (docs/CONTRACTS.md).
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Context, type Span } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, ExecEvent } from '../../../shared/models.js';
import { engineError, statusCodeOf } from '../docker/engine.js';
import type { RunnerContext } from './launch-steps.js';

export const EXEC_ATTR = {
  command: 'boxscope.exec.command',
  exitCode: 'process.exit.code',
  /** `exit`: the process ended by itself; `closed`: the client closed the session. */
  endedBy: 'boxscope.exec.ended_by',
} as const;

/** Shells tried, in order, when the caller gives no command. */
export const SHELLS = ['/bin/bash', '/bin/sh'] as const;
/** Sessions one core keeps open at once. */
export const MAX_SESSIONS = 16;
/** Largest output item (UTF-16 code units). */
export const MAX_CHUNK = 64 * 1024;
/** At most this many output items a second (one per tick). */
const TICK_MS = 16;
/** Output decoded but not yet sent beyond which the engine stream is paused until the client catches up. */
export const MAX_PENDING = 1024 * 1024;

export interface ExecArgs {
  boxId: string;
  sessionId: string;
  cmd?: string[];
  cols: number;
  rows: number;
}

interface Session {
  exec: Docker.Exec;
  stream: Duplex;
  /**
   * Input typed before the pid wrapper's line came: the TTY would echo it
   * ahead of that line, so it waits (at most HOLD_MS) until the line is read.
   */
  held?: string[];
  heldLength?: number;
}

/** The shell the pid wrapper and the hang-up script need in the box. */
const BOX_SH = '/bin/sh';
/** Longest first line the wrapper prints (marker, pid, CR LF); past it the output is the program's own. */
const MAX_PID_LINE = 64;
/** Longest wait for the pid wrapper's line before typed input goes through anyway. */
const HOLD_MS = 2000;
/** Input held back while the pid line is awaited, at most (UTF-16 code units). */
const MAX_HELD = 64 * 1024;
/** How long a closed session's process gets after ^C, ^D and the end of stdin before it is signalled. */
const GRACE_MS = 300;
/** Bound on the in-box hang-up exec (it sends HUP, waits 1 s, then KILL). */
const HANGUP_MS = 4000;

/**
 * The TTY exec's command: a shell prints `<marker><its pid>` as the very first
 * line, then becomes the command (`exec`, same pid), so the session knows the
 * in-box pid of what it started (the engine's exec inspect gives only a pid of
 * the engine's host, useless inside the box and across a remote engine).
 */
export function pidWrapped(marker: string, cmd: string[]): string[] {
  return [BOX_SH, '-c', `echo ${marker}$$; exec "$@"`, 'sh', ...cmd];
}

/**
 * Sends SIGHUP, then after a second SIGKILL, to the pid given and to every
 * process of its session (a TTY exec is a session leader: its jobs share its
 * session id, even in their own process groups). Reads /proc alone: no `ps`
 * needed. /proc/<pid>/stat's fields after the command name's last ") " are
 * state, ppid, pgrp, session. Never signals itself.
 */
export const HANGUP_SCRIPT = [
  't=$1',
  'hit() { for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = "$$" ] && continue; ' +
    '{ read -r l < "$d/stat"; } 2>/dev/null || continue; set -- ${l##*) }; ' +
    'if [ "$p" = "$t" ] || [ "$4" = "$t" ]; then kill -s "$sig" "$p" 2>/dev/null; fi; done; }',
  'sig=HUP; hit; sleep 1 2>/dev/null; sig=KILL; hit; exit 0',
].join('\n');

/**
 * Takes the pid wrapper's line (`<marker><pid>\r\n`) off the head of a
 * session's output. Only the very first line counts: output that does not
 * start with the marker passes at once, and a marker printed later by the
 * box's programs is theirs (it is shown, never read).
 */
export class PidLine {
  pid?: number;
  /** Called once, when the first line is read or found not to be the wrapper's. */
  onDecided?: () => void;
  private head: Buffer | null = Buffer.alloc(0);
  private readonly mark: Buffer;

  constructor(marker: string) {
    this.mark = Buffer.from(marker, 'latin1');
  }

  /** What of `chunk` the user sees. */
  take(chunk: Buffer): Buffer {
    if (!this.head) return chunk;
    const buf = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    const n = Math.min(buf.length, this.mark.length);
    const nl = buf.indexOf(0x0a);
    if (buf.compare(this.mark, 0, n, 0, n) !== 0 || (nl < 0 && buf.length > MAX_PID_LINE)) return this.pass(buf);
    if (nl < 0) {
      this.head = buf;
      return Buffer.alloc(0);
    }
    const digits = buf.subarray(this.mark.length, nl).toString('latin1').replace(/\r$/, '');
    if (!/^[0-9]{1,9}$/.test(digits) || Number(digits) < 2) return this.pass(buf);
    this.head = null;
    this.pid = Number(digits);
    this.onDecided?.();
    return buf.subarray(nl + 1);
  }

  /** The stream ended: what was held back. */
  flush(): Buffer {
    return this.head ? this.pass(this.head) : Buffer.alloc(0);
  }

  private pass(buf: Buffer): Buffer {
    this.head = null;
    this.onDecided?.();
    return buf;
  }
}

/** The span with no parent in the box's latest trace, as a parent context; undefined when the store has none. */
function traceRoot(ctx: RunnerContext, box: Box): Context | undefined {
  const traceId = box.lastTraceId ?? box.traceId;
  if (!traceId) return undefined;
  let spans;
  try {
    spans = ctx.store.getTrace(traceId);
  } catch {
    return undefined;
  }
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => !s.parentSpanId) ?? spans.find((s) => !ids.has(s.parentSpanId!));
  const spanId = root?.spanId ?? undefined;
  if (!spanId) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** Cuts `s` at most `n` code units long without splitting a surrogate pair. */
function cut(s: string, n: number): number {
  if (s.length <= n) return s.length;
  const c = s.charCodeAt(n - 1);
  return c >= 0xd800 && c <= 0xdbff ? n - 1 : n;
}

/**
 * Sends a session's output until the stream ends or `signal` aborts: decoded
 * as one UTF-8 stream (a character split across reads arrives whole), at most
 * MAX_CHUNK per item and at most one item per tick (the first after a quiet
 * spell at once); past MAX_PENDING unsent, the
 * stream is paused until the client has caught up.
 */
export function pumpOutput(
  stream: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
  emit: (e: ExecEvent) => void,
  signal: AbortSignal,
  head?: PidLine,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let paused = false;
  let lastEmit = -Infinity;
  return new Promise<void>((resolve) => {
    const finish = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const tick = () => {
      timer = undefined;
      if (signal.aborted) return finish();
      if (pending) {
        const n = cut(pending, MAX_CHUNK);
        emit({ kind: 'output', data: pending.slice(0, n) });
        pending = pending.slice(n);
        lastEmit = performance.now();
      }
      if (paused && pending.length < MAX_PENDING / 2) {
        paused = false;
        stream.resume();
      }
      if (pending) timer = setTimeout(tick, TICK_MS);
      else if (ended) finish();
    };
    // A keystroke's echo after a quiet spell goes out at once (reads of the same turn still coalesce);
    // a busy stream is held to one item per tick.
    const schedule = () => {
      if (!timer) timer = setTimeout(tick, Math.max(0, TICK_MS - (performance.now() - lastEmit)));
    };
    stream.on('data', (c: Buffer) => {
      const b = head ? head.take(c) : c;
      if (!b.length) return;
      pending += decoder.decode(b, { stream: true });
      if (pending.length >= MAX_PENDING && !paused) {
        paused = true;
        stream.pause();
      }
      schedule();
    });
    const onEnd = () => {
      if (ended) return;
      ended = true;
      if (head) pending += decoder.decode(head.flush(), { stream: true });
      pending += decoder.decode();
      schedule();
    };
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onEnd);
    signal.addEventListener('abort', finish, { once: true });
    if (signal.aborted) finish();
  });
}

/**
 * Ends what a closed terminal still runs, as a hang-up would: the engine
 * keeps an exec's process alive when its connection closes and has no call
 * to signal it, so the line gets ^C (the foreground job) then ^D (the
 * shell's end of input) before stdin closes.
 */
async function hangUp(stream: Duplex): Promise<void> {
  const pause = () => new Promise((r) => setTimeout(r, 50));
  if (stream.destroyed || !stream.writable) return;
  stream.write('\x03');
  await pause();
  if (stream.destroyed || !stream.writable) return;
  stream.write('\x04');
  await pause();
}

export class ExecSessions {
  private readonly sessions = new Map<string, Session>();
  /** Ids reserved while a session is being opened. */
  private readonly opening = new Set<string>();

  constructor(
    private readonly ctx: RunnerContext,
    private readonly docker: () => Docker,
    private readonly find: (boxId: string) => Promise<Box>,
  ) {}

  get size(): number {
    return this.sessions.size + this.opening.size;
  }

  /** Runs one session until the process exits (then `exit`) or `signal` aborts (the client disposed it). */
  async run(a: ExecArgs, emit: (e: ExecEvent) => void, signal: AbortSignal): Promise<void> {
    if (this.sessions.has(a.sessionId) || this.opening.has(a.sessionId))
      throw new BoxscopeError('INVALID_INPUT', `Terminal session ${a.sessionId} is already open: choose another id`);
    if (this.size >= MAX_SESSIONS)
      throw new BoxscopeError(
        'INVALID_INPUT',
        `${MAX_SESSIONS} terminals are open already: close one before opening another`,
      );
    this.opening.add(a.sessionId);
    let session: Session | undefined;
    let span: Span | undefined;
    try {
      const box = await this.find(a.boxId);
      if (box.state !== 'running' || !box.containerId)
        throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} is not running (${box.state}): start it first`);
      const container = this.docker().getContainer(box.containerId);
      const info = await container.inspect().catch((e: unknown) => {
        throw statusCodeOf(e) === 404
          ? new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name} has no container any more`)
          : engineError(e, this.ctx.env, 'Terminal failed');
      });
      if (!info.State?.Running)
        throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} is not running: start it first`);
      const cmd = a.cmd ?? [await this.findShell(container)];
      // Without /bin/sh the session cannot learn its in-box pid: a closed session then only gets ^C, ^D and
      // the end of stdin (see hangUp), and a program ignoring those runs on until the box stops.
      // The pid line is the box's own: a lying /bin/sh can only have its own box's processes signalled.
      const hasSh = await this.hasPath(container, BOX_SH).catch(() => false);
      const mark = hasSh ? `bxs${randomBytes(8).toString('hex')}:` : undefined;
      const head = mark ? new PidLine(mark) : undefined;
      if (signal.aborted) return;

      span = this.ctx.tracer.startSpan(
        SPAN.boxExec,
        { attributes: { [ATTR.boxId]: box.boxId, [EXEC_ATTR.command]: cmd.join(' ') } },
        traceRoot(this.ctx, box) ?? ROOT_CONTEXT,
      );
      const exec = await container
        .exec({
          Cmd: mark ? pidWrapped(mark, cmd) : cmd,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: true,
          Env: ['TERM=xterm-256color'],
        })
        .catch((e: unknown) => {
          throw engineError(e, this.ctx.env, 'Terminal failed');
        });
      const stream = (await exec.start({ hijack: true, stdin: true, Tty: true }).catch((e: unknown) => {
        throw engineError(e, this.ctx.env, 'Terminal failed');
      })) as unknown as Duplex;
      const live: Session = (session = { exec, stream });
      if (head) {
        live.held = [];
        live.heldLength = 0;
        const release = () => {
          clearTimeout(holding);
          head.onDecided = undefined;
          const held = live.held ?? [];
          live.held = undefined;
          if (!stream.destroyed && stream.writable) for (const d of held) stream.write(d);
        };
        const holding = setTimeout(release, HOLD_MS);
        head.onDecided = release;
      }
      this.sessions.set(a.sessionId, session);
      this.opening.delete(a.sessionId);
      await exec.resize({ h: a.rows, w: a.cols }).catch(() => undefined);
      emit({ kind: 'started', sessionId: a.sessionId, shell: cmd.join(' ') });

      await pumpOutput(stream, emit, signal, head);
      if (signal.aborted) {
        span.setAttribute('boxscope.exec.closed_by', 'client');
        span.setAttribute(EXEC_ATTR.endedBy, 'closed');
        this.sessions.delete(a.sessionId);
        await hangUp(stream);
        stream.end();
        if (head?.pid) await this.endInBox(container, exec, head.pid);
        return;
      }
      span.setAttribute(EXEC_ATTR.endedBy, 'exit');
      const exitCode = await this.exitCode(exec);
      if (exitCode !== undefined) {
        span.setAttribute(EXEC_ATTR.exitCode, exitCode);
        emit({ kind: 'exit', exitCode });
      } else emit({ kind: 'exit', exitCode: -1 });
    } catch (err) {
      if (span) {
        const e = engineError(err, this.ctx.env, 'Terminal failed');
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
        span.setAttribute(ATTR.errorType, e.code);
      }
      throw err;
    } finally {
      this.opening.delete(a.sessionId);
      if (session) {
        this.sessions.delete(a.sessionId);
        session.stream.end();
        session.stream.destroy();
      }
      span?.end();
    }
  }

  /** Whether the box has `path` (a stat of the path: no tool in the box is needed). */
  private async hasPath(container: Docker.Container, path: string): Promise<boolean> {
    try {
      await container.infoArchive({ path });
      return true;
    } catch (e) {
      if (statusCodeOf(e) !== 404) throw engineError(e, this.ctx.env, 'Terminal failed');
      return false;
    }
  }

  /** The first shell of SHELLS the box has. */
  private async findShell(container: Docker.Container): Promise<string> {
    for (const sh of SHELLS) if (await this.hasPath(container, sh)) return sh;
    throw new BoxscopeError('INVALID_INPUT', 'This box has no shell (/bin/sh not found): give a command');
  }

  /**
   * A closed session's process still running after ^C, ^D and the end of stdin
   * gets SIGHUP then SIGKILL from a short exec in the box (HANGUP_SCRIPT), as
   * a terminal's hang-up would. Bounded in time; it never throws: the session
   * is closed whatever happens here.
   */
  private async endInBox(container: Docker.Container, exec: Docker.Exec, pid: number): Promise<void> {
    const deadline = Date.now() + GRACE_MS + HANGUP_MS;
    const running = async (e: Docker.Exec) => {
      try {
        return ((await e.inspect()) as { Running?: boolean }).Running === true;
      } catch {
        return false;
      }
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      for (let waited = 0; waited < GRACE_MS; waited += 50) {
        if (!(await running(exec))) return;
        await pause(50);
      }
      if (!(await running(exec))) return;
      const kill = await container.exec({
        Cmd: [BOX_SH, '-c', HANGUP_SCRIPT, 'sh', String(pid)],
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
      });
      await kill.start({ Detach: true });
      while (Date.now() < deadline && (await running(kill))) await pause(100);
    } catch {
      // The box stopped, or the engine went away: nothing is left to end, or nothing can be done.
    }
  }

  /** The exec's exit code once the engine has it (it may lag the stream's end by a moment). */
  private async exitCode(exec: Docker.Exec): Promise<number | undefined> {
    for (let i = 0; i < 50; i++) {
      try {
        const r = (await exec.inspect()) as { Running?: boolean; ExitCode?: number | null };
        if (!r.Running && typeof r.ExitCode === 'number') return r.ExitCode;
      } catch {
        return undefined;
      }
      await new Promise((r) => setTimeout(r, 20 + i * 5));
    }
    return undefined;
  }

  input(sessionId: string, data: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) throw new BoxscopeError('INVALID_INPUT', 'This terminal session has ended: open a new one');
    if (!s.held) return void s.stream.write(data);
    s.heldLength = (s.heldLength ?? 0) + data.length;
    if (s.heldLength > MAX_HELD)
      throw new BoxscopeError('INVALID_INPUT', 'The terminal is still starting: type again in a moment');
    s.held.push(data);
  }

  async resize(sessionId: string, cols: number, rows: number): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) throw new BoxscopeError('INVALID_INPUT', 'This terminal session has ended: open a new one');
    await s.exec.resize({ h: rows, w: cols }).catch((e: unknown) => {
      // A session whose process just ended cannot be resized any more: nothing to tell the user.
      if (statusCodeOf(e) !== 404 && statusCodeOf(e) !== 500 && statusCodeOf(e) !== 409)
        throw engineError(e, this.ctx.env, 'Terminal resize failed');
    });
  }

  close(): void {
    for (const s of this.sessions.values()) s.stream.destroy();
    this.sessions.clear();
  }
}
