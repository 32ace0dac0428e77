import { useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import { deepLink } from '../../state/route.js';
import { copyText } from '../common/download.js';
import type { Attributes, AttrValue, SpanRecord } from '../../../../shared/models.js';
import { useTraceView } from '../../state/trace-view-store.js';
import { formatDuration, nsToEpochMs } from '../../model/time.js';
import { indexOfId, nameOf, parentIdOf, serviceNameOf, spanIdOf, type TraceModel } from '../../model/trace-model.js';
import { Breakable } from '../common/Breakable.js';
import { useSpanRecord } from './use-span-record.js';
import { serviceColor } from './colors.js';
import './SpanDetail.css';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];

const show = (v: AttrValue): string => (v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function AttrTable({ attrs, empty }: { attrs: Attributes; empty: string }) {
  const keys = Object.keys(attrs).sort();
  if (!keys.length) return <p className="muted small">{empty}</p>;
  return (
    <table className="kv">
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th scope="row">
              <Breakable text={k} />
            </th>
            <td>
              <Breakable text={show(attrs[k])} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Duration minus the union of the children's spans (clipped to the parent). Children come sorted by start. */
function selfTime(subtreeEnd: Int32Array, i: number, start: Float64Array, finish: Float64Array): number {
  const from = start[i];
  const to = finish[i];
  let covered = 0;
  let reach = from;
  for (let c = i + 1; c < subtreeEnd[i]; c = subtreeEnd[c]) {
    const a = Math.max(start[c], reach);
    const b = Math.min(finish[c], to);
    if (b > a) covered += b - a;
    if (b > reach) reach = b;
  }
  return Math.max(0, to - from - covered);
}

/** Copies `#/traces/<traceId>?span=<spanId>` as a link others can open (see docs/CONTRACTS.md, Deep links). */
function CopySpanLink({ traceId, spanId }: { traceId: string; spanId: string }) {
  const [flash, setFlash] = useState('');
  const copy = async () => {
    setFlash((await copyText(deepLink({ page: 'traces', traceId, spanId }))) ? 'Copied' : 'Copy failed');
    setTimeout(() => setFlash(''), 1500);
  };
  return (
    <button type="button" className="link small" onClick={() => void copy()} title="Copy a link to this span">
      {flash || 'Copy span link'}
    </button>
  );
}

export function SpanDetail({ onClose }: { onClose(): void }) {
  const model = useTraceView((s) => s.model);
  const i = useTraceView((s) => s.selected);
  if (!model || i < 0 || i >= model.size) return null;
  return <SpanDetailView model={model} i={i} onClose={onClose} />;
}

function SpanDetailView({ model, i, onClose }: { model: TraceModel; i: number; onClose(): void }) {
  const start = useTraceView((s) => s.start);
  const finish = useTraceView((s) => s.finish);
  const select = useTraceView((s) => s.select);
  const spanId = spanIdOf(model, i);
  const { span, error } = useSpanRecord(model.traceId, spanId);
  const name = nameOf(model, i);
  const service = serviceNameOf(model, i);
  const status = model.status[i];
  const self = selfTime(model.subtreeEnd, i, start, finish);
  const parentIdx = model.parent[i];
  const parentId = parentIdOf(model, i);
  return (
    <aside className="span-detail" data-testid={TEST_ID.spanDetail} aria-label={`Span ${name}`}>
      <header className="span-detail-head">
        <div>
          <div className="span-detail-service">
            <span className="span-service-dot" style={{ backgroundColor: serviceColor(service) }} />
            {service}
          </div>
          <h3>
            <Breakable text={name} />
          </h3>
        </div>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close span detail" title="Close (Esc)">
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>Duration</dt>
        <dd>{formatDuration(finish[i] - start[i])}</dd>
        <dt>Self time</dt>
        <dd title="Time not covered by any child span">{formatDuration(self)}</dd>
        <dt>Start</dt>
        <dd>+{formatDuration(start[i])}</dd>
        <dt>Kind</dt>
        <dd>{KINDS[model.kind[i]] ?? model.kind[i]}</dd>
        <dt>Status</dt>
        <dd className={status === 2 ? 'text-error' : undefined}>
          {STATUS[status] ?? status}
          {span?.status.message ? `: ${span.status.message}` : ''}
        </dd>
        <dt>Span ID</dt>
        <dd className="mono">
          {spanId} <CopySpanLink traceId={model.traceId} spanId={spanId} />
        </dd>
        <dt>Parent</dt>
        <dd className="mono">
          {parentIdx >= 0 ? (
            <button type="button" className="link" onClick={() => select(parentIdx, true)}>
              {nameOf(model, parentIdx)}
            </button>
          ) : parentId ? (
            <span title="Not in this trace">{parentId} (missing)</span>
          ) : (
            'root'
          )}
        </dd>
        {parentIdx >= 0 && start[i] > finish[parentIdx] + 0.05 && (
          <>
            <dt>Started by</dt>
            <dd className="follows-note" data-testid="span-follows">
              {nameOf(model, parentIdx)}, {formatDuration(start[i] - finish[parentIdx])} after it ended.{' '}
              <span className="muted">
                {name === 'sandbox.boot' || name === 'box.boot'
                  ? 'The runner handed this span id to the box (BOXLITE_TRACEPARENT) when it created it; the daemon booted once the box started.'
                  : 'The parent handed its trace context on and did not wait for this span.'}
              </span>
            </dd>
          </>
        )}
        <dt>Started at</dt>
        <dd>{new Date(model.baseMs + model.start[i]).toISOString()}</dd>
        {span?.scope && (
          <>
            <dt>Scope</dt>
            <dd className="mono">
              {span.scope.name}
              {span.scope.version ? ` ${span.scope.version}` : ''}
            </dd>
          </>
        )}
      </dl>
      {span ? (
        <SpanRecordSections span={span} model={model} select={select} />
      ) : error ? (
        <p className="muted small text-error" role="alert">
          The span's attributes could not be loaded: {error}
        </p>
      ) : (
        <p className="muted small" aria-busy="true">
          Loading attributes…
        </p>
      )}
    </aside>
  );
}

/** What only the whole span holds: attributes, events, links and resource. */
function SpanRecordSections({
  span: s,
  model,
  select,
}: {
  span: SpanRecord;
  model: TraceModel;
  select(i: number, scroll?: boolean): void;
}) {
  const spanStartEpoch = nsToEpochMs(s.startTimeUnixNano);
  return (
    <>
      <section>
        <h4>Attributes</h4>
        <AttrTable attrs={s.attributes} empty="No attributes." />
      </section>
      <section>
        <h4>Events ({s.events.length})</h4>
        {s.events.length === 0 ? (
          <p className="muted small">No events.</p>
        ) : (
          <ol className="events">
            {s.events.map((e, k) => (
              <li key={k}>
                <div className="event-head">
                  <span className="mono">+{formatDuration(nsToEpochMs(e.timeUnixNano) - spanStartEpoch)}</span>
                  <strong>{e.name}</strong>
                </div>
                <AttrTable attrs={e.attributes} empty="" />
              </li>
            ))}
          </ol>
        )}
      </section>
      <section>
        <h4>Links ({s.links.length})</h4>
        {s.links.length === 0 ? (
          <p className="muted small">No links.</p>
        ) : (
          <ul className="links">
            {s.links.map((l, k) => {
              const local = l.traceId === model.traceId ? indexOfId(model, l.spanId) : -1;
              return (
                <li key={k} className="mono">
                  {local >= 0 ? (
                    <button type="button" className="link" onClick={() => select(local, true)}>
                      {nameOf(model, local)}
                    </button>
                  ) : (
                    <a href={`#/traces/${l.traceId}`}>
                      {l.traceId.slice(0, 12)}…/{l.spanId}
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section>
        <h4>Resource</h4>
        <AttrTable attrs={s.resource} empty="No resource attributes." />
      </section>
    </>
  );
}
