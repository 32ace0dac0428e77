import { memo, useEffect, useRef, useState } from 'react';
import { formatDuration } from '../../model/time.js';
import { roundTicks, tickLabel } from '../../model/ticks.js';
import './Ticks.css';

interface Props {
  /** Window in ms relative to the trace start. */
  from: number;
  to: number;
  /** Most ticks; fewer where the column is narrow (one per ~80 px), the same for the header and the grid. */
  count?: number;
  labels?: boolean;
}

const PX_PER_TICK = 80;

/** Vertical grid lines across the timeline column at round times, with their labels in the header. */
export const Ticks = memo(function Ticks({ from, to, count = 6, labels = false }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const node = el.current;
    if (!node || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.round(e.contentRect.width)));
    ro.observe(node);
    return () => ro.disconnect();
  }, []);
  const fit = width ? Math.max(1, Math.min(count, Math.floor(width / PX_PER_TICK))) : count;
  const ticks = roundTicks(from, to, fit);
  return (
    <div className="ticks" ref={el}>
      {ticks.map((t) => (
        <div key={t.at} className="tick" style={{ left: `${t.frac * 100}%` }}>
          {labels && t.frac < 1 - 56 / Math.max(width, 56) && (
            <span className="tick-label">{tickLabel(formatDuration(t.at))}</span>
          )}
        </div>
      ))}
    </div>
  );
});
