import { useEffect, useMemo, useState } from 'react';
import { RESERVED_BOX_ENV, TEST_ID } from '../../../../shared/constants.js';
import type { CredentialInfo, PullPolicy } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';
import { launchBox } from '../../state/launch.js';
import { StateBadge } from '../boxes/StateBadge.js';
import './Launcher.css';

function RecentBoxes() {
  const boxes = useApp((s) => s.boxes);
  const recent = Object.values(boxes)
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, 6);
  return (
    <aside className="card recent">
      <h2>Recent boxes</h2>
      {recent.length === 0 ? (
        <p className="muted small">Boxes you launch show up here, with their state and launch trace.</p>
      ) : (
        <ul className="recent-list">
          {recent.map((b) => (
            <li key={b.boxId}>
              <a href={`#/boxes/${b.boxId}`}>{b.name}</a>
              <StateBadge state={b.state} exitCode={b.exitCode} />
              <div className="mono muted small ellipsis" title={b.image}>
                {b.image}
              </div>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** `K=V` per line; blank lines and `#` comments ignored. Returns the env or the first problem. */
export function parseEnv(text: string): { env: Record<string, string>; problem?: string } {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at <= 0) return { env, problem: `Line ${n + 1}: expected KEY=value` };
    const key = line.slice(0, at).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      return { env, problem: `Line ${n + 1}: "${key}" is not a valid variable name` };
    if (RESERVED_BOX_ENV.includes(key)) return { env, problem: `${key} is set by Boxscope itself; remove it` };
    env[key] = line.slice(at + 1);
  }
  return { env };
}

function CredentialHint({ image }: { image: string }) {
  const [cred, setCred] = useState<CredentialInfo | null | undefined>(undefined);
  useEffect(() => {
    if (!image.trim()) return setCred(undefined);
    let alive = true;
    const t = setTimeout(() => {
      call('registries:forImage', { image: image.trim() }).then(
        (c) => alive && setCred(c),
        () => alive && setCred(undefined),
      );
    }, 250);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [image]);
  if (cred === undefined)
    return <div className="cred-hint muted">The credential for this image's registry shows here.</div>;
  if (cred === null)
    return (
      <div className="cred-hint" data-testid="credential-hint">
        <span className="badge">anonymous</span> No credential covers this image; it will be pulled anonymously.{' '}
        <a href="#/settings">Add one</a> for a private registry.
      </div>
    );
  return (
    <div className="cred-hint" data-testid="credential-hint">
      <span className="badge badge-ok">{cred.source}</span> Pull as <strong>{cred.username ?? '(token)'}</strong> for{' '}
      <span className="mono">{cred.key}</span> from {cred.sourceDetail}
    </div>
  );
}

export function Launcher() {
  const engine = useApp((s) => s.engine);
  const pushError = useApp((s) => s.pushError);
  const [image, setImage] = useState('');
  const [name, setName] = useState('');
  const [envText, setEnvText] = useState('');
  const [network, setNetwork] = useState('none');
  const [pull, setPull] = useState<PullPolicy>('missing');
  const [daemon, setDaemon] = useState(true);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseEnv(envText), [envText]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!image.trim() || parsed.problem || busy) return;
    setBusy(true);
    try {
      // The box page shows pull progress and the live trace, so go there as soon as the box has an id.
      await launchBox(
        {
          image: image.trim(),
          name: name.trim() || undefined,
          env: Object.keys(parsed.env).length ? parsed.env : undefined,
          network,
          pull,
          daemon,
        },
        // Only when the user is still here: never pull them away from a page they went to meanwhile.
        (boxId) => useApp.getState().route.page === 'launch' && navigate({ page: 'boxes', boxId }),
      );
    } catch (err) {
      pushError(errorInfo(err), `Launch of ${image.trim()} failed`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page launcher">
      <header className="page-head">
        <h1>Launch a box</h1>
        <p className="muted">
          Pull an image, create the box and watch every step from this click to the in-box daemon as one trace.
        </p>
      </header>
      {engine && !engine.reachable && (
        <div className="notice notice-error" role="status">
          <strong>No Docker engine found</strong> at <span className="mono">{engine.endpoint}</span>.{' '}
          {engine.message ?? 'Start Docker, or set DOCKER_HOST to a running engine, then reload.'}
        </div>
      )}
      <div className="launcher-grid">
        <form className="card form" onSubmit={submit}>
          <label className="field">
            <span>Image</span>
            <input
              data-testid={TEST_ID.launchImage}
              value={image}
              onChange={(e) => setImage(e.target.value)}
              placeholder="ghcr.io/acme/api:1.4.2"
              autoComplete="off"
              spellCheck={false}
              required
              autoFocus
            />
          </label>
          <CredentialHint image={image} />
          <div className="field-row">
            <label className="field">
              <span>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="optional" spellCheck={false} />
            </label>
            <label className="field">
              <span>Network</span>
              <select value={network} onChange={(e) => setNetwork(e.target.value)}>
                <option value="none">none (isolated)</option>
                <option value="host">host</option>
                <option value="bridge">bridge</option>
              </select>
            </label>
            <label className="field">
              <span>Pull</span>
              <select value={pull} onChange={(e) => setPull(e.target.value as PullPolicy)}>
                <option value="missing">if missing</option>
                <option value="always">always</option>
                <option value="never">never</option>
              </select>
            </label>
          </div>
          <label className="field">
            <span>Environment</span>
            <textarea
              value={envText}
              onChange={(e) => setEnvText(e.target.value)}
              placeholder={'KEY=value, one per line'}
              rows={4}
              spellCheck={false}
              aria-invalid={!!parsed.problem}
            />
            {parsed.problem && <span className="field-error">{parsed.problem}</span>}
          </label>
          <label className="check">
            <input type="checkbox" checked={daemon} onChange={(e) => setDaemon(e.target.checked)} />
            Run the in-box daemon (emits <span className="mono">sandbox.boot</span> into this launch's trace)
          </label>
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              data-testid={TEST_ID.launchSubmit}
              disabled={busy || !image.trim() || !!parsed.problem}
            >
              {busy ? 'Launching…' : 'Launch'}
            </button>
            <span className="muted small">The trace starts now, in this window, as box.create.</span>
          </div>
        </form>
        <RecentBoxes />
      </div>
    </section>
  );
}
