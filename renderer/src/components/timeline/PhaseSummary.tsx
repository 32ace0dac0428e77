import { memo } from 'react';
import { useTraceView } from '../../state/trace-view-store.js';
import { formatDuration } from '../../model/time.js';
import './PhaseSummary.css';

/** Auth → pull → create → start → boot, each a segment sized by its share of the launch. */
function PhaseSummaryView() {
  const phases = useTraceView((s) => s.phases);
  const bounds = useTraceView((s) => s.bounds);
  const select = useTraceView((s) => s.select);
  const present = phases.filter((p) => p.count > 0);
  if (!present.length) return null;
  const total = bounds.max - bounds.min || 1;
  return (
    <div className="phases" aria-label="Launch phases">
      {phases.map((p) => (
        <button
          type="button"
          key={p.key}
          className={`phase phase-${p.key}${p.count ? '' : ' phase-missing'}${p.error ? ' phase-error' : ''}`}
          disabled={!p.count}
          onClick={() => select(p.index, true)}
          title={
            p.count
              ? `${p.label}: ${formatDuration(p.durationMs)} (${p.count} span${p.count > 1 ? 's' : ''})`
              : `No ${p.label.toLowerCase()} span`
          }
        >
          <span className="phase-label">{p.label}</span>
          <span className="phase-value">{p.count ? formatDuration(p.durationMs) : '—'}</span>
          <span className="phase-meter">
            <span
              className="phase-meter-fill"
              style={{
                marginLeft: `${((p.startMs - bounds.min) / total) * 100}%`,
                width: `${Math.max((p.durationMs / total) * 100, 0.5)}%`,
              }}
            />
          </span>
        </button>
      ))}
    </div>
  );
}

/** Memoized: selection and scrolling re-render the list, not this. */
export const PhaseSummary = memo(PhaseSummaryView);
