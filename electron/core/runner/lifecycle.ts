/**
 * Starting a box again after its launch (boxes:start, boxes:restart): each
 * start is a `box.start` span rooting a trace of its own, linked to the
 * launch's trace, with `container.start`, `daemon.wait` and the daemon's
 * `sandbox.boot` under it (see docs/CONTRACTS.md, "Box lifecycle").
 */
import { ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box } from '../../../shared/models.js';
import { waitNotRunning } from '../docker/engine-api.js';
import { engineError, statusCodeOf } from '../docker/engine.js';
import { startSettled, type RunnerContext } from './launch-steps.js';
import type { BoxRecords } from './records.js';
import { failSpan, inSpan } from './tracing.js';

/** `boxscope.start.reason` on a `box.start` span. */
export const START_REASON_ATTR = 'boxscope.start.reason';
export type StartReason = 'user start' | 'restart';
/** Seconds a stop waits after SIGTERM before the engine sends SIGKILL (docker's default too). */
export const DEFAULT_STOP_TIMEOUT_S = 5;
/** The span of the stop a restart begins with. */
const CONTAINER_STOP_SPAN = 'container.stop';

export function stopTimeout(timeout: number | undefined): number {
  return timeout !== undefined && Number.isInteger(timeout) && timeout >= 0 ? timeout : DEFAULT_STOP_TIMEOUT_S;
}

/** Refuses a start the box cannot take, in words the user can act on. */
export function checkStartable(box: Box, restart: boolean): asserts box is Box & { containerId: string } {
  const verb = restart ? 'restart' : 'start';
  if (box.state === 'removed-outside')
    throw new BoxscopeError(
      'INVALID_INPUT',
      `Box ${box.name} was removed outside Boxscope: nothing to ${verb} (remove it here, or launch it again)`,
    );
  if (!box.containerId)
    throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} has no container to ${verb} (launch it again)`);
  if (!restart && box.state === 'running')
    throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} is already running (use restart)`);
  if (['creating', 'pulling', 'starting', 'stopping'].includes(box.state))
    throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} is ${box.state}: wait until it settles`);
}

export interface StartAgain {
  ctx: RunnerContext;
  docker: Docker;
  box: Box & { containerId: string };
  records: BoxRecords;
  restart: boolean;
  /** Restart only: seconds before SIGKILL. */
  timeout?: number;
  changed(box: Box): void;
  logs(boxId: string, tail: number): Promise<string>;
  /** Called just before the container is started (after a restart's stop). */
  onContainerStart?(): void;
}

/** Starts `box` again (after a stop, with `restart`) in a new trace; resolves with the running box. */
export async function startAgain(s: StartAgain): Promise<Box> {
  const { ctx, box, records } = s;
  const reason: StartReason = s.restart ? 'restart' : 'user start';
  const note = records.notes()[box.boxId] ?? {};
  const links: Link[] = [];
  if (box.traceId && note.parentSpanId)
    links.push({
      context: { traceId: box.traceId, spanId: note.parentSpanId, traceFlags: 1, isRemote: true },
      attributes: { 'boxscope.link.kind': 'launch' },
    });
  const root = ctx.tracer.startSpan(
    SPAN.boxStart,
    {
      attributes: { [ATTR.boxId]: box.boxId, [ATTR.containerId]: box.containerId, [START_REASON_ATTR]: reason },
      links,
    },
    ROOT_CONTEXT,
  );
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const traceId = root.spanContext().traceId;
  // Granted before anything runs: the daemon's boot for this start lands in this trace.
  ctx.store.grantBoxTrace(box.boxId, traceId);
  // A start asked here resets the engine's RestartCount: fold the engine's restarts in first.
  const restartCount = (note.restartCount ?? 0) + (note.engineRestarts ?? 0) + 1;
  records.note(box.boxId, { lastTraceId: traceId, restartCount, engineRestarts: undefined });
  box.lastTraceId = traceId;
  box.restartCount = restartCount;
  const container = s.docker.getContainer(box.containerId);
  try {
    if (s.restart) {
      records.note(box.boxId, { stoppedByUser: true });
      box.state = 'stopping';
      s.changed(box);
      const t = stopTimeout(s.timeout);
      await inSpan(
        ctx.tracer,
        CONTAINER_STOP_SPAN,
        parent,
        { [ATTR.boxId]: box.boxId, 'boxscope.stop.timeout_s': t },
        () => stopContainer(container, t, ctx.env),
      );
    }
    // What the last run left (a user stop, an exit at once) no longer describes the box.
    records.note(box.boxId, {
      stoppedByUser: undefined,
      reason: undefined,
      exitCode: undefined,
      exitedAtLaunch: undefined,
    });
    box.state = 'starting';
    delete box.exitCode;
    delete box.reason;
    delete box.killedOutside;
    s.changed(box);
    if (box.daemon) await ctx.daemon.ensureReceiver(box.boxId);
    s.onContainerStart?.();
    await startSettled({ ctx, container, box, traceId, parent, daemon: !!box.daemon, logs: s.logs });
    root.end();
    box.state = 'running';
    s.changed(box);
    return { ...box };
  } catch (err) {
    const e = engineError(err, ctx.env, s.restart ? 'Restart failed' : 'Start failed');
    failSpan(root, e);
    root.end();
    const exitedAtOnce = e.code === 'BOX_EXITED';
    const exitCode = typeof e.details?.exitCode === 'number' ? e.details.exitCode : undefined;
    // The daemon reports an exit before the engine has reaped it: wait (briefly) until the engine agrees,
    // so a list right after this answer does not still read the box as running.
    if (exitedAtOnce) await engineSettled(container);
    records.note(box.boxId, {
      reason: e.message,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(exitedAtOnce ? { exitedAtLaunch: true } : {}),
    });
    box.state = exitedAtOnce ? 'exited' : 'failed';
    box.reason = e.message;
    if (exitCode !== undefined) box.exitCode = exitCode;
    s.changed(box);
    throw new BoxscopeError(e.code, e.message, { ...e.details, boxId: box.boxId, traceId });
  }
}

/** docker stop: SIGTERM, then SIGKILL after `timeoutS`; a box already stopped or gone is fine. */
export async function stopContainer(c: Docker.Container, timeoutS: number, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await c.stop({ t: timeoutS });
  } catch (err) {
    if (statusCodeOf(err) !== 304 && statusCodeOf(err) !== 404) throw engineError(err, env, 'Stop failed');
  }
}

/** Resolves once the engine no longer calls the container running, or after `ms`. */
async function engineSettled(c: Docker.Container, ms = 2000): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    await waitNotRunning(c, ac.signal);
  } catch {
    // Timed out or gone: the engine's own events put the state right.
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
