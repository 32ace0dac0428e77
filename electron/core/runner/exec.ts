/**
 * Terminal sessions in running boxes (`boxes:exec`): an engine exec with a
 * TTY, its output decoded as a UTF-8 stream and sent in bounded, coalesced
 * chunks, its input and size from `boxes:execInput` / `boxes:execResize`.
 * Each session is a `box.exec` span in the box's latest trace, holding the
 * command and exit code, never what was typed or shown (docs/CONTRACTS.md).
 */
import type { Duplex } from 'node:stream';
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Context, type Span } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, ExecEvent } from '../../../shared/models.js';
import { engineError, statusCodeOf } from '../docker/engine.js';
import type { RunnerContext } from './launch-steps.js';

export const EXEC_ATTR = { command: 'boxscope.exec.command', exitCode: 'process.exit.code' } as const;

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
 * MAX_CHUNK per item and one item per tick; past MAX_PENDING unsent, the
 * stream is paused until the client has caught up.
 */
export function pumpOutput(
  stream: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
  emit: (e: ExecEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let paused = false;
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
      }
      if (paused && pending.length < MAX_PENDING / 2) {
        paused = false;
        stream.resume();
      }
      if (pending) timer = setTimeout(tick, TICK_MS);
      else if (ended) finish();
    };
    const schedule = () => {
      if (!timer) timer = setTimeout(tick, TICK_MS);
    };
    stream.on('data', (c: Buffer) => {
      pending += decoder.decode(c, { stream: true });
      if (pending.length >= MAX_PENDING && !paused) {
        paused = true;
        stream.pause();
      }
      schedule();
    });
    const onEnd = () => {
      if (ended) return;
      ended = true;
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
      if (signal.aborted) return;

      span = this.ctx.tracer.startSpan(
        SPAN.boxExec,
        { attributes: { [ATTR.boxId]: box.boxId, [EXEC_ATTR.command]: cmd.join(' ') } },
        traceRoot(this.ctx, box) ?? ROOT_CONTEXT,
      );
      const exec = await container
        .exec({
          Cmd: cmd,
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
      session = { exec, stream };
      this.sessions.set(a.sessionId, session);
      this.opening.delete(a.sessionId);
      await exec.resize({ h: a.rows, w: a.cols }).catch(() => undefined);
      emit({ kind: 'started', sessionId: a.sessionId, shell: cmd.join(' ') });

      await pumpOutput(stream, emit, signal);
      if (signal.aborted) {
        span.setAttribute('boxscope.exec.closed_by', 'client');
        this.sessions.delete(a.sessionId);
        await hangUp(stream);
        return;
      }
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

  /** The first shell of SHELLS the box has (a stat of the path: no tool in the box is needed). */
  private async findShell(container: Docker.Container): Promise<string> {
    for (const sh of SHELLS) {
      try {
        await container.infoArchive({ path: sh });
        return sh;
      } catch (e) {
        if (statusCodeOf(e) !== 404) throw engineError(e, this.ctx.env, 'Terminal failed');
      }
    }
    throw new BoxscopeError('INVALID_INPUT', 'This box has no shell (/bin/sh not found): give a command');
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
    s.stream.write(data);
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
