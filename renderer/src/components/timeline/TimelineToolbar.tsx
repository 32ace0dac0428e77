import { useEffect, useRef, useState, memo } from 'react';
import { useTraceView } from '../../state/trace-view-store.js';
import './TimelineToolbar.css';

/** Search, filter, error stepping, critical path and tree folding. */
function TimelineToolbarView({ searchRef }: { searchRef: React.RefObject<HTMLInputElement | null> }) {
  const model = useTraceView((s) => s.model)!;
  const query = useTraceView((s) => s.query);
  const filter = useTraceView((s) => s.filter);
  const filterOn = useTraceView((s) => s.filterOn);
  const searching = useTraceView((s) => s.searching);
  const truncated = useTraceView((s) => s.core?.truncated ?? false);
  const criticalOn = useTraceView((s) => s.criticalOn);
  const selected = useTraceView((s) => s.selected);
  const a = useTraceView.getState();
  const [text, setText] = useState(query);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => setText(query), [query]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const apply = (q: string) => {
    clearTimeout(timer.current);
    a.setQuery(q);
  };
  const matches = filter?.matches.length ?? 0;
  const matchPos = filter && selected >= 0 ? filter.matches.indexOf(selected) : -1;
  const errPos = selected >= 0 ? model.errors.indexOf(selected) : -1;

  return (
    <div className="timeline-toolbar" role="toolbar" aria-label="Timeline tools">
      <div className="search">
        <input
          ref={searchRef}
          type="search"
          className="search-input"
          placeholder="Search spans: name, service:x, key=value, dur>=10ms, is:error"
          aria-label="Search spans"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            clearTimeout(timer.current);
            const v = e.target.value;
            timer.current = setTimeout(() => a.setQuery(v), 150);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              apply(text);
              if (text.trim()) a.step('matches', e.shiftKey ? -1 : 1);
            } else if (e.key === 'Escape') {
              setText('');
              apply('');
              (e.target as HTMLInputElement).blur();
            }
          }}
        />
        {query.trim() && (
          <span className="search-count" data-testid="search-count" aria-live="polite">
            {matches
              ? `${matchPos >= 0 ? `${matchPos + 1}/` : ''}${matches} match${matches === 1 ? '' : 'es'}`
              : searching
                ? ''
                : 'no match'}
            {searching && <span className="search-hint"> searching attributes…</span>}
            {truncated && !searching && <span className="search-hint"> (attribute matches cut short)</span>}
          </span>
        )}
        <button
          type="button"
          className="btn btn-icon"
          onClick={() => a.step('matches', -1)}
          disabled={!matches}
          title="Previous match (N)"
        >
          ↑
        </button>
        <button
          type="button"
          className="btn btn-icon"
          onClick={() => a.step('matches', 1)}
          disabled={!matches}
          title="Next match (n)"
        >
          ↓
        </button>
        <label className="check" title="Show only matches and their parents">
          <input
            type="checkbox"
            checked={filterOn}
            onChange={(e) => a.setFilterOn(e.target.checked)}
            disabled={!query.trim()}
          />
          Filter
        </label>
      </div>
      <div className="toolbar-group">
        <button
          type="button"
          className={`btn${model.errors.length ? ' btn-danger-soft' : ''}`}
          onClick={() => a.step('errors', -1)}
          disabled={!model.errors.length}
          title="Previous error (E)"
        >
          ‹
        </button>
        <span className={`error-count${model.errors.length ? ' has-errors' : ''}`}>
          {model.errors.length
            ? `${errPos >= 0 ? `${errPos + 1}/` : ''}${model.errors.length} error${model.errors.length > 1 ? 's' : ''}`
            : 'no errors'}
        </span>
        <button
          type="button"
          className={`btn${model.errors.length ? ' btn-danger-soft' : ''}`}
          onClick={() => a.step('errors', 1)}
          disabled={!model.errors.length}
          title="Next error (e)"
        >
          ›
        </button>
      </div>
      <div className="toolbar-group">
        <button
          type="button"
          className={`btn${criticalOn ? ' btn-active' : ''}`}
          aria-pressed={criticalOn}
          onClick={() => a.setCritical(!criticalOn)}
          title="Highlight the critical path (c)"
        >
          Critical path
        </button>
        {criticalOn && (
          <span className="critical-legend" data-testid="critical-legend">
            <span
              className="legend-item"
              title="Time the trace's end waited on this span: shorten it to shorten the trace"
            >
              <span className="legend-swatch legend-critical" aria-hidden="true" />
              on the critical path
            </span>
            <span className="legend-item" title="Time that overlapped with critical work: shortening it gains nothing">
              <span className="legend-swatch legend-dim" aria-hidden="true" />
              off it
            </span>
          </span>
        )}
      </div>
      <div className="toolbar-group">
        <button type="button" className="btn" onClick={a.collapseAll} title="Collapse all (Shift+[)">
          Collapse all
        </button>
        <button type="button" className="btn" onClick={a.collapseLevel} title="Collapse one level ([)">
          −1
        </button>
        <button type="button" className="btn" onClick={a.expandLevel} title="Expand one level (])">
          +1
        </button>
        <button type="button" className="btn" onClick={a.expandAll} title="Expand all (Shift+])">
          Expand all
        </button>
      </div>
    </div>
  );
}

/** Memoized: selection and scrolling re-render the list, not this. */
export const TimelineToolbar = memo(TimelineToolbarView);
