/** The CPU / memory column of the box list, from the shared stats stream. */
import { useApp } from '../../state/app-store.js';
import { currentStats, formatBytes, formatCpu, useStats, useStatsFeed } from './stats-store.js';

export function StatsCell({ boxId }: { boxId: string }) {
  useStatsFeed();
  const running = useApp((s) => s.boxes[boxId]?.state === 'running');
  const cur = currentStats(useStats((s) => s.byBox[boxId]));
  if (!running || !cur) return <span className="muted">—</span>;
  return (
    <span className="stats-cell mono" title="CPU (100% = one core) and memory in use">
      <span>{formatCpu(cur.cpuPercent)}</span>
      <span className="muted">{formatBytes(cur.memBytes)}</span>
    </span>
  );
}
