/** The box page's tabs: its launch trace, logs, and for a box with a container a terminal, inspect and stats. */
import { useEffect, useState, type ReactNode } from 'react';
import type { Box } from '../../../../shared/models.js';
import { EmptyState } from '../common/EmptyState.js';
import { InspectView } from './InspectView.js';
import { LogsView } from './LogsView.js';
import { StatsChart } from './StatsChart.js';
import { Terminal } from './Terminal.js';

export type BoxTab = 'trace' | 'logs' | 'terminal' | 'inspect' | 'stats';

const TABS: Array<{ id: BoxTab; label: string }> = [
  { id: 'trace', label: 'Launch trace' },
  { id: 'logs', label: 'Logs' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'stats', label: 'Stats' },
];

const NOT_RUNNING = 'Start the box to use it: a terminal and live stats need a running box.';

export function BoxTabs({ box, live, trace }: { box: Box; live: boolean; trace: ReactNode }) {
  const [tab, setTab] = useState<BoxTab>('trace');
  const running = box.state === 'running';
  // A terminal once opened stays mounted (hidden) while the box runs, so switching tabs keeps its session.
  const [termOpened, setTermOpened] = useState(false);
  useEffect(() => {
    if (tab === 'terminal' && running) setTermOpened(true);
    if (!running) setTermOpened(false);
  }, [tab, running]);
  // A box whose container is gone (or never came) has a trace and what its logs said, nothing to go into.
  const hasContainer = !!box.containerId && box.state !== 'removed-outside';
  const shown = TABS.filter((t) => hasContainer || t.id === 'trace' || t.id === 'logs');
  return (
    <>
      <div className="tabs" role="tablist">
        {shown.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'on' : ''}
            onClick={() => setTab(t.id)}
          >
            {t.id === 'trace' && box.lastTraceId ? 'Latest trace' : t.label}
          </button>
        ))}
      </div>
      {tab === 'trace' && trace}
      {tab === 'logs' && <LogsView boxId={box.boxId} live={live} />}
      {tab === 'terminal' && !running && <EmptyState title="The box is not running">{NOT_RUNNING}</EmptyState>}
      {running && (termOpened || tab === 'terminal') && (
        <div className="box-tab-keep" hidden={tab !== 'terminal'}>
          <Terminal boxId={box.boxId} active={tab === 'terminal'} />
        </div>
      )}
      {tab === 'inspect' && <InspectView boxId={box.boxId} refresh={`${box.state}:${box.restartCount ?? 0}`} />}
      {tab === 'stats' &&
        (running ? <StatsChart boxId={box.boxId} /> : <EmptyState title="No live stats">{NOT_RUNNING}</EmptyState>)}
    </>
  );
}
