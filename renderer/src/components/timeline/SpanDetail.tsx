import { TEST_ID } from '../../../../shared/constants.js';
import type { Attributes, AttrValue } from '../../../../shared/models.js';
import { useTraceView } from '../../state/trace-view-store.js';
import { formatDuration, nsToEpochMs } from '../../model/time.js';
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
            <th scope="row">{k}</th>
            <td>{show(attrs[k])}</td>
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

export function SpanDetail({ onClose }: { onClose(): void }) {
  const model = useTraceView((s) => s.model);
  const i = useTraceView((s) => s.selected);
  const start = useTraceView((s) => s.start);
  const finish = useTraceView((s) => s.finish);
  const select = useTraceView((s) => s.select);
  if (!model || i < 0 || i >= model.size) return null;
  const s = model.spans[i];
  const self = selfTime(model.subtreeEnd, i, start, finish);
  const spanStartEpoch = nsToEpochMs(s.startTimeUnixNano);
  const parentIdx = model.parent[i];
  return (
    <aside className="span-detail" data-testid={TEST_ID.spanDetail} aria-label={`Span ${s.name}`}>
      <header className="span-detail-head">
        <div>
          <div className="span-detail-service">
            <span className="span-service-dot" style={{ backgroundColor: serviceColor(s.serviceName) }} />
            {s.serviceName}
          </div>
          <h3>{s.name}</h3>
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
        <dd>{KINDS[s.kind] ?? s.kind}</dd>
        <dt>Status</dt>
        <dd className={s.status.code === 2 ? 'text-error' : undefined}>
          {STATUS[s.status.code]}
          {s.status.message ? `: ${s.status.message}` : ''}
        </dd>
        <dt>Span ID</dt>
        <dd className="mono">{s.spanId}</dd>
        <dt>Parent</dt>
        <dd className="mono">
          {parentIdx >= 0 ? (
            <button type="button" className="link" onClick={() => select(parentIdx, true)}>
              {model.spans[parentIdx].name}
            </button>
          ) : s.parentSpanId ? (
            <span title="Not in this trace">{s.parentSpanId} (missing)</span>
          ) : (
            'root'
          )}
        </dd>
        <dt>Started at</dt>
        <dd>{new Date(spanStartEpoch).toISOString()}</dd>
        {s.scope && (
          <>
            <dt>Scope</dt>
            <dd className="mono">
              {s.scope.name}
              {s.scope.version ? ` ${s.scope.version}` : ''}
            </dd>
          </>
        )}
      </dl>
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
              const local = l.traceId === s.traceId ? model.indexById.get(l.spanId) : undefined;
              return (
                <li key={k} className="mono">
                  {local !== undefined ? (
                    <button type="button" className="link" onClick={() => select(local, true)}>
                      {model.spans[local].name}
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
    </aside>
  );
}
