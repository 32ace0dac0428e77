/** A box's CPU and memory over the last minute: two sparklines with the current values in words. */
import { TEST_ID } from '../../../../shared/constants.js';
import type { BoxStats } from '../../../../shared/models.js';
import { currentStats, formatBytes, formatCpu, useStats, useStatsFeed } from './stats-store.js';
import './StatsChart.css';

const W = 240;
const H = 48;

/** The polyline points of `values` (at most KEEP) scaled to 0..max across the width, the newest at the right edge. */
export function sparkPoints(values: number[], max: number): string {
  if (!values.length || !(max > 0)) return '';
  const step = W / Math.max(values.length - 1, 1);
  const x0 = values.length === 1 ? W : 0;
  return values
    .map((v, i) => {
      const y = H - 2 - (Math.min(Math.max(v, 0), max) / max) * (H - 4);
      return `${(x0 + i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

function Spark({ label, values, max, className }: { label: string; values: number[]; max: number; className: string }) {
  return (
    <svg
      className={`spark ${className}`}
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line className="spark-base" x1="0" y1={H - 1} x2={W} y2={H - 1} />
      <polyline points={sparkPoints(values, max)} />
    </svg>
  );
}

export function StatsChart({ boxId }: { boxId: string }) {
  useStatsFeed();
  const samples: BoxStats[] = useStats((s) => s.byBox[boxId]) ?? [];
  const cur = currentStats(samples);
  const cpu = samples.map((s) => s.cpuPercent);
  const mem = samples.map((s) => s.memBytes);
  const cpuMax = Math.max(100, ...cpu);
  const memMax = Math.max(1, ...mem) * 1.25;
  return (
    <div className="stats-chart" data-testid={TEST_ID.boxStats}>
      <div className="stats-metric">
        <div className="stats-head">
          <span className="muted">
            CPU <span className="small">(100% = one core)</span>
          </span>
          <span className="stats-value mono" data-metric="cpu">
            {cur ? formatCpu(cur.cpuPercent) : '—'}
          </span>
        </div>
        <Spark label="CPU over the last minute" values={cpu} max={cpuMax} className="spark-cpu" />
      </div>
      <div className="stats-metric">
        <div className="stats-head">
          <span className="muted">Memory</span>
          <span className="stats-value mono" data-metric="memory">
            {cur ? formatBytes(cur.memBytes) : '—'}
            {cur && cur.memLimitBytes > 0 && <span className="muted small"> of {formatBytes(cur.memLimitBytes)}</span>}
          </span>
        </div>
        <Spark label="Memory over the last minute" values={mem} max={memMax} className="spark-mem" />
      </div>
      {!cur && <div className="muted small stats-wait">Waiting for the engine&apos;s first samples…</div>}
    </div>
  );
}
