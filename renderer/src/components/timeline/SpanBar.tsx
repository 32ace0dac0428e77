import type { CriticalSegment } from '../../model/critical-path.js';
import { EVENT_KIND } from '../../../../shared/trace-columns.js';
import { formatDuration } from '../../model/time.js';
import './SpanBar.css';

interface Props {
  start: number;
  finish: number;
  from: number;
  to: number;
  color: string;
  error: boolean;
  critical?: CriticalSegment[];
  criticalOn: boolean;
  /** Event times on the recorded clock; `shift` moves them with the span. */
  events: Float64Array;
  /** EVENT_KIND of each event (shared/trace-columns.ts): exceptions are marked in the error colour. */
  eventKinds: Uint8Array;
  shift: number;
}

/** One span's bar inside the visible time window, with its duration label beside it. */
export function SpanBar({
  start,
  finish,
  from,
  to,
  color,
  error,
  critical,
  criticalOn,
  events,
  eventKinds,
  shift,
}: Props) {
  const span = to - from || 1;
  const left = ((start - from) / span) * 100;
  const width = Math.max(((finish - start) / span) * 100, 0.15);
  const nearEnd = left + width > 82;
  // Long bars carry their label inside; bars near the right edge get it on their left.
  const inside = nearEnd && width > 18;
  return (
    <div className="span-bar-track">
      <div
        className={`span-bar${error ? ' span-bar-error' : ''}${criticalOn && !critical ? ' span-bar-dim' : ''}`}
        style={{ left: `${left}%`, width: `${width}%`, backgroundColor: error ? undefined : color }}
      />
      {Array.from(events, (t, k) => {
        const at = t + shift;
        const exception = eventKinds[k] === EVENT_KIND.exception;
        return (
          <div
            key={`e${k}`}
            className={exception ? 'span-event span-event-exception' : 'span-event'}
            data-event-kind={exception ? 'exception' : undefined}
            style={{ left: `${((at - from) / span) * 100}%` }}
            title={`${exception ? 'exception' : 'event'} at +${formatDuration(at - start)}`}
          />
        );
      })}
      {criticalOn &&
        critical?.map((seg, k) => (
          <div
            key={k}
            className="span-bar-critical"
            style={{
              left: `${((seg.from - from) / span) * 100}%`,
              width: `${Math.max(((seg.to - seg.from) / span) * 100, 0.1)}%`,
            }}
          />
        ))}
      <span
        className={inside ? 'span-bar-label span-bar-label-inside' : 'span-bar-label'}
        style={
          inside
            ? { right: `${Math.max(100 - left - width, 0) + 0.4}%` }
            : nearEnd
              ? { right: `${100 - left + 0.5}%` }
              : { left: `${left + width + 0.5}%` }
        }
      >
        {formatDuration(finish - start)}
      </span>
    </div>
  );
}
