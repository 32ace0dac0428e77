import { memo } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import type { CriticalSegment } from '../../model/critical-path.js';
import { SpanBar } from './SpanBar.js';
import { ERROR_COLOR } from './colors.js';
import './SpanBarRow.css';

interface Props {
  index: number;
  /** Position in the visible list (the virtualizer's index). */
  row: number;
  spanId: string;
  name: string;
  service: string;
  error: boolean;
  /** The model's event times (relative, recorded clock); this span's are [eventFrom, eventTo). */
  eventMs: Float64Array;
  eventFrom: number;
  eventTo: number;
  /** EVENT_KIND of each of the model's events (parallel to eventMs). */
  eventKind: Uint8Array;
  depth: number;
  childCount: number;
  collapsed: boolean;
  orphan: boolean;
  /** It began after its parent ended: the parent handed its context on (e.g. the runner's create span to the box's boot). */
  afterParent: boolean;
  color: string;
  start: number;
  finish: number;
  /** Clock-skew shift applied to this span, for placing its events. */
  shift: number;
  from: number;
  to: number;
  selected: boolean;
  match: boolean;
  critical?: CriticalSegment[];
  criticalOn: boolean;
  top: number;
  height: number;
  nameWidth: number;
  onToggle(i: number): void;
  onSelect(i: number): void;
}

const INDENT = 14;

export const SpanBarRow = memo(function SpanBarRow(p: Props) {
  const error = p.error;
  const cls = ['span-row', p.selected && 'is-selected', p.match && 'is-match', error && 'is-error']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={cls}
      role="row"
      aria-selected={p.selected}
      data-testid={TEST_ID.spanRow}
      data-span-name={p.name}
      data-service={p.service}
      data-span-id={p.spanId}
      data-index={p.index}
      data-row={p.row}
      style={{ transform: `translateY(${p.top}px)`, height: p.height }}
      onClick={() => p.onSelect(p.index)}
    >
      <div className="span-name" style={{ width: p.nameWidth }}>
        <span className="span-indent" style={{ width: p.depth * INDENT }} />
        {p.childCount > 0 ? (
          <button
            type="button"
            className="span-toggle"
            aria-label={p.collapsed ? `Expand ${p.name}` : `Collapse ${p.name}`}
            aria-expanded={!p.collapsed}
            onClick={(e) => {
              e.stopPropagation();
              p.onToggle(p.index);
            }}
          >
            {p.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="span-toggle-spacer" />
        )}
        <span className="span-service-dot" style={{ backgroundColor: error ? ERROR_COLOR : p.color }} />
        <span className="span-service">{p.service}</span>
        <span className="span-op">{p.name}</span>
        {p.collapsed && <span className="span-count">{p.childCount}</span>}
        {p.orphan && (
          <span className="badge badge-warn" title="Its parent span is not in this trace">
            orphan
          </span>
        )}
        {p.afterParent && (
          <span
            className="badge badge-follows"
            title="Started after its parent ended: the parent handed its trace context on and did not wait for it"
          >
            after parent
          </span>
        )}
        {error && (
          <span className="span-error-icon" aria-label="error">
            !
          </span>
        )}
      </div>
      <div className="span-timeline">
        <SpanBar
          start={p.start}
          finish={p.finish}
          events={p.eventMs.subarray(p.eventFrom, p.eventTo)}
          eventKinds={p.eventKind.subarray(p.eventFrom, p.eventTo)}
          shift={p.shift}
          from={p.from}
          to={p.to}
          color={p.color}
          error={error}
          critical={p.critical}
          criticalOn={p.criticalOn}
        />
      </div>
    </div>
  );
});
