import { useRef, memo } from 'react';
import { useDragRange } from './use-drag-range.js';
import { useTraceView } from '../../state/trace-view-store.js';
import { Ticks } from './Ticks.js';
import './TimelineHeader.css';

interface Props {
  /** Window in ms relative to the trace start. */
  from: number;
  to: number;
  nameWidth: number;
}

/** Column titles and the time scale; dragging across the scale zooms into that stretch. */
function TimelineHeaderView({ from, to, nameWidth }: Props) {
  const zoom = useTraceView((s) => s.zoom);
  const setZoom = useTraceView((s) => s.setZoom);
  const setNameWidth = useTraceView((s) => s.setNameWidth);
  const resize = useRef<{ x: number; w: number } | null>(null);
  // The scale shows the zoomed window, so a picked stretch is relative to it.
  const {
    ref: scale,
    drag,
    handlers,
  } = useDragRange<HTMLDivElement>((a, b) => {
    const span = zoom[1] - zoom[0];
    setZoom([zoom[0] + a * span, zoom[0] + b * span]);
  }, 0.005);
  const zoomed = zoom[0] > 0 || zoom[1] < 1;
  return (
    <div className="timeline-header">
      <div className="timeline-header-name" style={{ width: nameWidth }}>
        Service &amp; operation
        <div
          className="column-resizer"
          role="separator"
          aria-orientation="vertical"
          aria-label="Resize the name column"
          title="Drag to resize"
          onPointerDown={(e) => {
            (e.target as Element).setPointerCapture?.(e.pointerId);
            resize.current = { x: e.clientX, w: nameWidth };
          }}
          onPointerMove={(e) => resize.current && setNameWidth(resize.current.w + e.clientX - resize.current.x)}
          onPointerUp={() => (resize.current = null)}
        />
        {zoomed && (
          <button
            type="button"
            className="btn btn-small zoom-reset"
            onClick={() => setZoom([0, 1])}
            title="Show the whole trace (0)"
          >
            Reset zoom
          </button>
        )}
      </div>
      <div className="timeline-header-ticks" ref={scale} title="Drag to zoom into a stretch of time" {...handlers}>
        <Ticks from={from} to={to} labels />
        {drag && (
          <div
            className="zoom-select"
            style={{ left: `${Math.min(...drag) * 100}%`, width: `${Math.abs(drag[1] - drag[0]) * 100}%` }}
          />
        )}
      </div>
    </div>
  );
}

/** Memoized: selection and scrolling re-render the list, not this. */
export const TimelineHeader = memo(TimelineHeaderView);
