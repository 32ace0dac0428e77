import { useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';
import { EmptyState } from '../common/EmptyState.js';
import { TraceView } from '../timeline/TraceView.js';
import { BoxTabs } from './BoxTabs.js';
import { PullProgressBar } from './PullProgressBar.js';
import { BoxActions, latestTraceId } from './BoxActions.js';
import { BoxNotice, BoxTraces } from './BoxStatus.js';
import { StateBadge } from './StateBadge.js';
import { StatsCell } from './StatsCell.js';
import './BoxesPage.css';

const ACTIVE = new Set(['creating', 'pulling', 'starting', 'running', 'stopping']);

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return new Date(ms).toLocaleDateString();
}

function BoxList({ query }: { query: string }) {
  const boxes = useApp((s) => s.boxes);
  const loaded = useApp((s) => s.boxesLoaded);
  const pulls = useApp((s) => s.pulls);
  const engine = useApp((s) => s.engine);
  const all = Object.values(boxes).sort((a, b) => b.createdAt - a.createdAt);
  const q = query.trim().toLowerCase();
  const list = q ? all.filter((b) => `${b.name} ${b.image} ${b.state} ${b.boxId}`.toLowerCase().includes(q)) : all;
  if (engine && !engine.reachable)
    return (
      <EmptyState title="No Docker engine found" tone="error">
        Boxscope looked at <span className="mono">{engine.endpoint}</span>. Start Docker, or set DOCKER_HOST to a
        running engine, then reload. {engine.message}
      </EmptyState>
    );
  if (loaded && all.length && !list.length)
    return (
      <EmptyState title="No box matches">Nothing matches “{query}”. Clear the filter to see every box.</EmptyState>
    );
  if (loaded && !list.length)
    return (
      <EmptyState
        title="No boxes yet"
        action={
          <a className="btn btn-primary" href="#/launch">
            Launch a box
          </a>
        }
      >
        Launch an image and it shows up here with its live state, pull progress, logs and trace.
      </EmptyState>
    );
  return (
    <table className="table boxes-table">
      <thead>
        <tr>
          <th>State</th>
          <th>Name</th>
          <th>Image</th>
          <th>Created</th>
          <th className="col-daemon">Daemon</th>
          <th className="nowrap">CPU · Mem</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {list.map((b) => {
          const pull = pulls[b.boxId];
          return (
            <tr
              key={b.boxId}
              data-testid={TEST_ID.boxRow}
              data-box-id={b.boxId}
              data-state={b.state}
              className="clickable"
              onClick={() => navigate({ page: 'boxes', boxId: b.boxId })}
            >
              <td className="nowrap">
                <StateBadge state={b.state} exitCode={b.exitCode} />
              </td>
              <td className="col-name">
                <a href={`#/boxes/${b.boxId}`} onClick={(e) => e.stopPropagation()}>
                  {b.name}
                </a>
                {b.reason && b.state !== 'removed-outside' && (
                  <div className="row-reason" title={b.reason}>
                    {b.reason}
                  </div>
                )}
                {pull && !pull.done && b.state === 'pulling' && <PullProgressBar progress={pull} />}
              </td>
              <td className="mono ellipsis" title={b.image}>
                {b.image}
              </td>
              <td className="muted nowrap">{age(b.createdAt)}</td>
              <td className="muted col-daemon">{b.daemon ? 'on' : 'off'}</td>
              <td className="nowrap">
                <StatsCell boxId={b.boxId} />
              </td>
              <td className="nowrap">
                <BoxActions box={b} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function BoxDetail({ boxId }: { boxId: string }) {
  const box = useApp((s) => s.boxes[boxId]);
  const loaded = useApp((s) => s.boxesLoaded);
  const pull = useApp((s) => s.pulls[boxId]);
  if (!box)
    return loaded ? (
      <EmptyState title="Box not found" action={<a href="#/boxes">Back to boxes</a>}>
        No box with id <span className="mono">{boxId}</span>. It may have been removed.
      </EmptyState>
    ) : (
      <div className="trace-loading">Loading…</div>
    );
  return (
    <div className="box-detail">
      <header className="box-head" data-testid={TEST_ID.boxRow} data-box-id={box.boxId} data-state={box.state}>
        <div>
          <a href="#/boxes" className="muted small">
            ← Boxes
          </a>
          <h1>
            {box.name} <StateBadge state={box.state} exitCode={box.exitCode} />
          </h1>
          <div className="box-meta">
            <span className="mono">{box.image}</span>
            {box.imageDigest && (
              <span className="mono muted" title={box.imageDigest}>
                {box.imageDigest.slice(0, 19)}…
              </span>
            )}
            {box.containerId && <span className="mono muted">container {box.containerId.slice(0, 12)}</span>}
            <span className="mono muted">box {box.boxId}</span>
          </div>
          <BoxNotice box={box} />
          {pull && (!pull.done || box.state === 'pulling') && <PullProgressBar progress={pull} />}
        </div>
        <BoxActions box={box} traceLink={false} />
      </header>
      <BoxTraces box={box} />
      <BoxTabs
        box={box}
        live={ACTIVE.has(box.state)}
        trace={
          latestTraceId(box) ? (
            <TraceView key={latestTraceId(box)} traceId={latestTraceId(box)!} live={ACTIVE.has(box.state)} />
          ) : (
            <EmptyState title="No trace yet">
              The launch trace appears as soon as the runner reports its first span.
            </EmptyState>
          )
        }
      />
    </div>
  );
}

export function BoxesPage({ boxId }: { boxId?: string }) {
  const [query, setQuery] = useState('');
  if (boxId) return <BoxDetail boxId={boxId} />;
  return (
    <section className="page">
      <header className="page-head page-head-row">
        <h1>Boxes</h1>
        <div className="row-actions">
          <input
            type="search"
            placeholder="Filter by name, image or state"
            aria-label="Filter boxes"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <a className="btn btn-primary" href="#/launch">
            Launch
          </a>
        </div>
      </header>
      <BoxList query={query} />
    </section>
  );
}
