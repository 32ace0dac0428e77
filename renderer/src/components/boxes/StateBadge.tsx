import type { BoxState } from '../../../../shared/models.js';

const TONE: Record<BoxState, string> = {
  creating: 'busy',
  pulling: 'busy',
  starting: 'busy',
  running: 'ok',
  stopping: 'busy',
  stopped: 'idle',
  exited: 'idle',
  failed: 'error',
  removed: 'idle',
  'removed-outside': 'warn',
};

const LABEL: Partial<Record<BoxState, string>> = { 'removed-outside': 'removed outside Boxscope' };

export function StateBadge({ state, exitCode }: { state: BoxState; exitCode?: number }) {
  return (
    <span className={`state state-${TONE[state]}`}>
      <span className="state-dot" aria-hidden="true" />
      {LABEL[state] ?? state}
      {exitCode !== undefined && (state === 'exited' || state === 'failed') ? ` (${exitCode})` : ''}
    </span>
  );
}
