import { formatDuration } from '../../model/time.js';
import './Ticks.css';

interface Props {
  /** Window in ms relative to the trace start. */
  from: number;
  to: number;
  count?: number;
  labels?: boolean;
}

/** Vertical grid lines across the timeline column, with time labels in the header. */
export function Ticks({ from, to, count = 5, labels = false }: Props) {
  const ticks = [];
  for (let k = 0; k <= count; k++) {
    const frac = k / count;
    ticks.push(
      <div key={k} className="tick" style={{ left: `${frac * 100}%` }}>
        {labels && k < count && <span className="tick-label">{formatDuration(from + (to - from) * frac)}</span>}
      </div>,
    );
  }
  return <div className="ticks">{ticks}</div>;
}
