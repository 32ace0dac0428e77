/**
 * The one mapping from what the engine says about a container (its status
 * and exit code) plus what only Boxscope knows (records.ts: why it failed,
 * whether the user stopped it, whether it exited during its launch) to a
 * box's state. The list and the engine's events both go through it.
 */
import type { BoxState } from '../../../shared/models.js';
import type { BoxNote } from './records.js';

export interface EngineView {
  /** The engine's container status: created, running, paused, restarting, removing, exited, dead. */
  status: string;
  exitCode?: number;
}

export interface BoxStateView {
  state: BoxState;
  exitCode?: number;
  reason?: string;
  killedOutside?: boolean;
}

/** A box that ended by SIGKILL (128 + 9) without a stop asked here: `docker kill` or the like. */
export const KILLED_OUTSIDE_REASON = 'killed outside Boxscope (SIGKILL)';
const SIGKILL_EXIT = 137;

function fromEngine(status: string, stoppedByUser: boolean): BoxState {
  switch (status) {
    case 'created':
      return 'creating';
    case 'running':
    case 'paused':
      return 'running';
    case 'restarting':
      return 'starting';
    case 'removing':
      return 'stopping';
    case 'dead':
      return 'failed';
    case 'exited':
      return stoppedByUser ? 'stopped' : 'exited';
    default:
      return 'exited';
  }
}

/** `live` is the state this process holds for a box whose transition it is making itself (starting, stopping). */
export function boxState(engine: EngineView, note: BoxNote, live?: BoxState): BoxStateView {
  let state = fromEngine(engine.status, !!note.stoppedByUser);
  if (note.reason && state !== 'running') state = note.exitedAtLaunch ? 'exited' : 'failed';
  if ((live === 'starting' || live === 'stopping') && engine.status === 'running') state = live;
  const ended = state === 'exited' || state === 'failed' || state === 'stopped';
  const exitCode = ended ? (note.exitCode ?? engine.exitCode) : undefined;
  const killedOutside = state === 'exited' && !note.reason && !note.stoppedByUser && exitCode === SIGKILL_EXIT;
  const reason = killedOutside
    ? KILLED_OUTSIDE_REASON
    : state === 'failed'
      ? (note.reason ?? 'The box process ended badly')
      : ended
        ? note.reason
        : undefined;
  return {
    state,
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(reason ? { reason } : {}),
    ...(killedOutside ? { killedOutside } : {}),
  };
}

/** States a launch holds while it runs; a box left in one with no live launch was interrupted. */
export const LAUNCHING: readonly BoxState[] = ['creating', 'pulling', 'starting'];
