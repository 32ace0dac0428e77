/** What a user does inside a running box: inspect, a terminal (exec with a TTY), live stats. */
import type { CoreContext } from '../contracts.js';
import { connectEngine } from '../docker/engine.js';
import { ExecSessions } from '../runner/exec.js';
import { inspectBox } from '../runner/inspect.js';
import { runnerFor } from '../runner/instances.js';
import { followAllStats, followStats } from '../runner/stats.js';
import type { HandlerMap, StreamMap } from './types.js';

type SessionChannels = 'boxes:inspect' | 'boxes:execInput' | 'boxes:execResize';
type SessionStreams = 'boxes:exec' | 'boxes:stats';

const sessions = new WeakMap<CoreContext, ExecSessions>();
/** Aborted when the core closes: ends its stats follows. */
const closing = new WeakMap<CoreContext, AbortController>();

function closingSignal(ctx: CoreContext): AbortSignal {
  let ac = closing.get(ctx);
  if (!ac) closing.set(ctx, (ac = new AbortController()));
  return ac.signal;
}

/** Ends the terminal sessions and stats follows of a core being closed. */
export function closeSessions(ctx: CoreContext): void {
  sessions.get(ctx)?.close();
  sessions.delete(ctx);
  closing.get(ctx)?.abort();
  closing.delete(ctx);
}

/** The terminal sessions of one core. */
export function sessionsFor(ctx: CoreContext): ExecSessions {
  let s = sessions.get(ctx);
  if (!s) {
    s = new ExecSessions(
      ctx,
      () => connectEngine(ctx.env),
      (boxId) => runnerFor(ctx).find(boxId),
    );
    sessions.set(ctx, s);
  }
  return s;
}

export function boxSessionHandlers(ctx: CoreContext): Pick<HandlerMap, SessionChannels> {
  return {
    'boxes:inspect': async ({ boxId }) => inspectBox(connectEngine(ctx.env), await runnerFor(ctx).find(boxId), ctx.env),
    'boxes:execInput': async ({ sessionId, data }) => sessionsFor(ctx).input(sessionId, data),
    'boxes:execResize': async ({ sessionId, cols, rows }) => sessionsFor(ctx).resize(sessionId, cols, rows),
  };
}

export function boxSessionStreams(ctx: CoreContext): Pick<StreamMap, SessionStreams> {
  return {
    'boxes:exec': (arg, emit, signal) => sessionsFor(ctx).run(arg, emit, signal),
    'boxes:stats': async ({ boxId }, emit, given) => {
      const signal = AbortSignal.any([given, closingSignal(ctx)]);
      if (boxId) {
        const box = await runnerFor(ctx).find(boxId);
        if (box.state === 'running') await followStats(connectEngine(ctx.env), box, emit, signal);
        return;
      }
      await followAllStats(
        () => connectEngine(ctx.env),
        () => runnerFor(ctx).list(),
        ctx.events,
        emit,
        signal,
      );
    },
  };
}
