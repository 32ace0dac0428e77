import { useState, memo } from 'react';
import { useTraceView } from '../../state/trace-view-store.js';
import { formatDuration } from '../../model/time.js';
import { nameOf, serviceNameOf } from '../../model/trace-model.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { deepLink } from '../../state/route.js';
import { copyText, downloadText } from '../common/download.js';
import { serviceColor } from './colors.js';
import './TraceHeader.css';

function TraceHeaderView() {
  const model = useTraceView((s) => s.model)!;
  const skew = useTraceView((s) => s.skew);
  const mode = useTraceView((s) => s.mode);
  const bounds = useTraceView((s) => s.bounds);
  const setMode = useTraceView((s) => s.setMode);
  const feed = useTraceView((s) => s.feed);
  const pushError = useApp((s) => s.pushError);
  const [flash, setFlash] = useState('');

  const note = (text: string) => {
    setFlash(text);
    setTimeout(() => setFlash(''), 1500);
  };
  const root = model.size > 0;
  const traceId = model.traceId;
  const shift = skew?.maxShiftMs ?? 0;

  return (
    <div className="trace-header">
      <div className="trace-title">
        <h2>{root ? `${serviceNameOf(model, 0)}: ${nameOf(model, 0)}` : 'Trace'}</h2>
        <div className="trace-meta">
          <span className="mono" title="Trace ID">
            {traceId}
          </span>
          <span>{formatDuration(bounds.max - bounds.min)}</span>
          <span>{model.size.toLocaleString()} spans</span>
          {feed && (!feed.storedDone || feed.growing) && (
            <span className="trace-loading-count" data-testid="trace-loading" aria-live="polite">
              Loading… {feed.received.toLocaleString()} spans
            </span>
          )}
          <span>depth {model.maxDepth + 1}</span>
          {root && <span>{new Date(model.baseMs).toLocaleString()}</span>}
        </div>
        <div className="trace-services">
          {model.services.map((s) => (
            <span key={s} className="service-chip">
              <span className="span-service-dot" style={{ backgroundColor: serviceColor(s) }} />
              {s}
            </span>
          ))}
          {model.orphanCount > 0 && (
            <span
              className="badge badge-warn"
              data-testid="incomplete-badge"
              title="Some spans reference a parent that is not in the trace (yet)"
            >
              incomplete: {model.orphanCount} orphan span{model.orphanCount > 1 ? 's' : ''}
            </span>
          )}
          {shift !== 0 && (
            <span className="skew">
              <span className="badge badge-info" data-testid="skew-badge" title="Box clock differs from the host clock">
                {mode === 'adjusted'
                  ? `box clock adjusted by ${shift > 0 ? '+' : ''}${formatDuration(shift)}`
                  : `box clock skew ${formatDuration(shift)} (raw)`}
              </span>
              <span className="segmented" role="group" aria-label="Clock">
                <button
                  type="button"
                  className={mode === 'adjusted' ? 'on' : ''}
                  aria-pressed={mode === 'adjusted'}
                  onClick={() => setMode('adjusted')}
                >
                  Adjusted
                </button>
                <button
                  type="button"
                  className={mode === 'raw' ? 'on' : ''}
                  aria-pressed={mode === 'raw'}
                  onClick={() => setMode('raw')}
                >
                  Raw
                </button>
              </span>
            </span>
          )}
        </div>
      </div>
      <div className="trace-actions">
        {flash && <span className="flash">{flash}</span>}
        <button
          type="button"
          className="btn"
          onClick={async () => note((await copyText(traceId)) ? 'Trace ID copied' : 'Copy failed')}
        >
          Copy ID
        </button>
        <button
          type="button"
          className="btn"
          onClick={async () =>
            note((await copyText(deepLink({ page: 'traces', traceId }))) ? 'Link copied' : 'Copy failed')
          }
        >
          Copy link
        </button>
        <button
          type="button"
          className="btn"
          onClick={async () => {
            try {
              downloadText(`trace-${traceId}.otlp.json`, await call('traces:export', { traceId }));
            } catch (e) {
              pushError(errorInfo(e), 'Export failed');
            }
          }}
        >
          Export OTLP
        </button>
      </div>
    </div>
  );
}

/** Memoized: selection and scrolling re-render the list, not this. */
export const TraceHeader = memo(TraceHeaderView);
