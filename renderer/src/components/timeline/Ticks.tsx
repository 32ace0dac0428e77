import { formatDuration } from '../../model/time.js';
import { roundTicks } from '../../model/ticks.js';
import './Ticks.css';

interface Props {
  /** Window in ms relative to the trace start. */
  from: number;
  to: number;
  count?: number;
  labels?: boolean;
}

/** Vertical grid lines across the timeline column at round times, with their labels in the header. */
export function Ticks({ from, to, count = 5, labels = false }: Props) {
  const ticks = roundTicks(from, to, count);
  return (
    <div className="ticks">
      {ticks.map((t) => (
        <div key={t.at} className="tick" style={{ left: `${t.frac * 100}%` }}>
          {labels && t.frac < 0.94 && <span className="tick-label">{formatDuration(t.at)}</span>}
        </div>
      ))}
    </div>
  );
}
