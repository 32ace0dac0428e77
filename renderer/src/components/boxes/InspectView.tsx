/** The inspect tab: the engine's view of a box (`boxes:inspect`), nothing secret in it (the core masks the token). */
import { useEffect, useState, type ReactNode } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import type { BoxInspect } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { routeHash } from '../../state/route.js';
import './InspectView.css';

function Section({
  title,
  children,
  count,
  wide,
}: {
  title: string;
  children: ReactNode;
  count?: number;
  wide?: boolean;
}) {
  return (
    <section className={`inspect-section${wide ? ' inspect-wide' : ''}`}>
      <h2>
        {title}
        {count !== undefined && <span className="muted"> {count}</span>}
      </h2>
      {children}
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** An argv as a shell would read it back: words with spaces or quotes in them are single-quoted. */
export function shellWords(a: string[]): string {
  return a.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');
}
const argv = (a: string[]) =>
  a.length ? <span className="mono break">{shellWords(a)}</span> : <span className="muted">—</span>;
const time = (t?: string) => (t ? new Date(t).toLocaleString() : '—');

/** `refresh` changes (e.g. the box's state) reload the view. */
export function InspectView({ boxId, refresh }: { boxId: string; refresh?: string }) {
  const [info, setInfo] = useState<BoxInspect | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    let alive = true;
    setError(null);
    call('boxes:inspect', { boxId }).then(
      (i) => alive && setInfo(i),
      (e) => alive && setError(errorInfo(e)),
    );
    return () => {
      alive = false;
    };
  }, [boxId, refresh]);

  if (error && !info)
    return (
      <div className="inspect" data-testid={TEST_ID.boxInspect}>
        <div className="notice notice-error">{error.message}</div>
      </div>
    );
  if (!info)
    return (
      <div className="inspect muted" data-testid={TEST_ID.boxInspect}>
        Loading…
      </div>
    );
  const labels = Object.entries(info.labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="inspect" data-testid={TEST_ID.boxInspect}>
      {error && <div className="notice notice-error">{error.message}</div>}
      <div className="inspect-grid">
        <Section title="Process">
          <dl className="inspect-fields">
            <Field label="Entrypoint">{argv(info.entrypoint)}</Field>
            <Field label="Command">{argv(info.cmd)}</Field>
            <Field label="Working dir">
              <span className="mono">{info.workdir || '/'}</span>
            </Field>
            <Field label="User">
              <span className="mono">{info.user || 'image default'}</span>
            </Field>
            <Field label="Image">
              <span className="mono">{info.image}</span>
              {info.imageDigest && <div className="mono muted small break">{info.imageDigest}</div>}
            </Field>
            <Field label="Container">
              <span className="mono break">{info.containerId}</span>
            </Field>
          </dl>
        </Section>
        <Section title="State">
          <dl className="inspect-fields">
            <Field label="State">{info.state}</Field>
            <Field label="Exit code">{info.exitCode ?? '—'}</Field>
            <Field label="Started">{time(info.startedAt)}</Field>
            <Field label="Finished">{time(info.finishedAt)}</Field>
            <Field label="Restart policy">
              <span className="mono">{info.restartPolicy}</span>
            </Field>
            <Field label="Restart count">{info.restartCount}</Field>
          </dl>
        </Section>
        <Section title="Network">
          <dl className="inspect-fields">
            <Field label="Network">
              <span className="mono">{info.network}</span>
            </Field>
            <Field label="Ports">
              {info.ports.length ? (
                <ul className="inspect-list mono">
                  {info.ports.map((p) => (
                    <li key={`${p.containerPort}/${p.protocol}/${p.hostIp ?? ''}/${p.hostPort ?? ''}`}>
                      {p.hostPort ? `${p.hostIp ?? '0.0.0.0'}:${p.hostPort} → ` : ''}
                      {p.containerPort}/{p.protocol}
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">none published</span>
              )}
            </Field>
          </dl>
        </Section>
        <Section title="Trace context" wide>
          {info.traceparent ? (
            <dl className="inspect-fields">
              <Field label="BOXLITE_TRACEPARENT">
                <span className="mono break">{info.traceparent}</span>
              </Field>
              {info.traceparentSpan && (
                <Field label="Names span">
                  <a
                    className="mono"
                    href={routeHash({
                      page: 'traces',
                      traceId: info.traceparentSpan.traceId,
                      spanId: info.traceparentSpan.spanId,
                    })}
                    title="Open the trace with this span selected"
                  >
                    {info.traceparentSpan.spanId}
                  </a>{' '}
                  <span className="muted small">in trace {info.traceparentSpan.traceId.slice(0, 8)}…</span>
                </Field>
              )}
            </dl>
          ) : (
            <span className="muted">This box got no trace context.</span>
          )}
        </Section>
      </div>
      <Section title="Environment" count={info.env.length}>
        <table className="table inspect-table">
          <tbody>
            {info.env.map((e, i) => (
              <tr key={`${e.name}-${i}`}>
                <td className="mono inspect-name">{e.name}</td>
                <td className={`mono break${e.secret ? ' muted' : ''}`}>{e.value}</td>
                <td className="inspect-flag">
                  {e.reserved && (
                    <span className="badge badge-info" title="Boxscope sets this for every box">
                      set by Boxscope
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Mounts" count={info.mounts.length}>
        {info.mounts.length ? (
          <table className="table inspect-table">
            <tbody>
              {info.mounts.map((m) => (
                <tr key={m.target}>
                  <td className="mono break">{m.target}</td>
                  <td className="mono break muted">
                    {m.type} {m.source}
                  </td>
                  <td className="inspect-flag">
                    {m.readOnly ? 'read-only' : 'read-write'}
                    {m.boxscope && <span className="badge badge-info">Boxscope&apos;s own</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <span className="muted">No mounts.</span>
        )}
      </Section>
      <Section title="Labels" count={labels.length}>
        <table className="table inspect-table">
          <tbody>
            {labels.map(([k, v]) => (
              <tr key={k}>
                <td className="mono inspect-name">{k}</td>
                <td className="mono break">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}
