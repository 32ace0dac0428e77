import { useEffect, useState } from 'react';
import { call, errorInfo } from '../../api/client.js';
import { columnsOf, decodeColumns } from '../../../../shared/trace-columns.js';
import { buildTraceModel, traceBounds } from '../../model/trace-model.js';
import { adjustClockSkew } from '../../model/skew.js';
import { comparePhases, phaseSummary, type Phase } from '../../model/phases.js';
import { formatDuration } from '../../model/time.js';
import { useApp } from '../../state/app-store.js';
import './TraceCompare.css';

interface Side {
  traceId: string;
  phases: Phase[];
  totalMs: number;
}

async function load(traceId: string): Promise<Side> {
  // Two launch traces, small: read whole and laid out like the timeline's columns.
  const spans = await call('traces:get', { traceId });
  const m = buildTraceModel([decodeColumns(columnsOf(traceId, spans, 'stored'))]);
  const s = adjustClockSkew(m);
  const b = traceBounds(s.start, s.finish);
  return { traceId, phases: phaseSummary(m, s.start, s.finish), totalMs: b.max - b.min };
}

/** Two launches' phases side by side, with the difference. */
export function TraceCompare({ a, b, onClose }: { a: string; b: string; onClose(): void }) {
  const pushError = useApp((s) => s.pushError);
  const [sides, setSides] = useState<[Side, Side] | null>(null);
  useEffect(() => {
    // Another pair picked meanwhile: this pair's figures must not land under its labels.
    let alive = true;
    setSides(null);
    Promise.all([load(a), load(b)]).then(
      (s) => alive && setSides(s),
      (e) => alive && pushError(errorInfo(e), 'Compare failed'),
    );
    return () => {
      alive = false;
    };
  }, [a, b, pushError]);
  if (!sides) return <div className="card">Loading comparison…</div>;
  const rows = comparePhases(sides[0].phases, sides[1].phases);
  const max = Math.max(1, ...rows.flatMap((r) => [r.a ?? 0, r.b ?? 0]));
  const fmt = (v?: number) => (v === undefined ? '—' : formatDuration(v));
  return (
    <div className="card compare" data-testid="trace-compare">
      <div className="page-head-row">
        <h2>Compare launches</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close comparison">
          ×
        </button>
      </div>
      <table className="table compare-table">
        <thead>
          <tr>
            <th>Phase</th>
            <th>
              A <span className="mono muted small">{a.slice(0, 8)}</span>
            </th>
            <th>
              B <span className="mono muted small">{b.slice(0, 8)}</span>
            </th>
            <th>B − A</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.label}</td>
              <td>
                <span className="cmp-bar cmp-a" style={{ width: `${((r.a ?? 0) / max) * 120}px` }} /> {fmt(r.a)}
              </td>
              <td>
                <span className="cmp-bar cmp-b" style={{ width: `${((r.b ?? 0) / max) * 120}px` }} /> {fmt(r.b)}
              </td>
              <td
                className={
                  r.deltaMs === undefined || Math.abs(r.deltaMs) < 0.5
                    ? 'muted'
                    : r.deltaMs > 0
                      ? 'text-error'
                      : 'text-ok'
                }
              >
                {r.deltaMs === undefined ? '—' : `${r.deltaMs > 0 ? '+' : ''}${formatDuration(r.deltaMs)}`}
              </td>
            </tr>
          ))}
          <tr className="compare-total">
            <td>Total</td>
            <td>{formatDuration(sides[0].totalMs)}</td>
            <td>{formatDuration(sides[1].totalMs)}</td>
            <td>{`${sides[1].totalMs - sides[0].totalMs > 0 ? '+' : ''}${formatDuration(sides[1].totalMs - sides[0].totalMs)}`}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
