import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import {
  RESTART_POLICIES,
  type CredentialInfo,
  type LaunchProblem,
  type PullPolicy,
  type RestartPolicy,
} from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';
import { launchBox } from '../../state/launch.js';
import { StateBadge } from '../boxes/StateBadge.js';
import {
  ADVANCED,
  EMPTY_FORM,
  formField,
  formFromSpec,
  hasAdvanced,
  readForm,
  type FormField,
  type LaunchForm,
} from './launch-form.js';
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

export { parseEnv } from './env.js';

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

/** The problems of one form field, under it; `id` is what the field's aria-describedby names. */
function Problems({ id, problems }: { id: string; problems: LaunchProblem[] }) {
  if (!problems.length) return null;
  return (
    <span id={id} className="field-error">
      {problems.map((p, i) => (
        <span key={i} className="field-error-line">
          {p.message}
        </span>
      ))}
    </span>
  );
}

/** How long the form waits after a change before asking the core about host paths. */
const VALIDATE_DEBOUNCE_MS = 300;

/** Host-path problems from the core (`boxes:validate`), for the latest form only. */
function useCoreProblems(spec: ReturnType<typeof readForm>['spec'], enabled: boolean): LaunchProblem[] {
  const [problems, setProblems] = useState<LaunchProblem[]>([]);
  const key = JSON.stringify(spec.mounts ?? []);
  const specRef = useRef(spec);
  specRef.current = spec;
  useEffect(() => {
    if (!enabled || !spec.mounts?.some((m) => m.type === 'bind')) {
      setProblems([]);
      return;
    }
    let alive = true;
    const t = setTimeout(() => {
      call('boxes:validate', { ...specRef.current, image: specRef.current.image || '-' }).then(
        (ps) => alive && setProblems(ps.filter((p) => p.field.startsWith('mounts'))),
        () => alive && setProblems([]),
      );
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [key, enabled]);
  return problems;
}

export function Launcher() {
  const engine = useApp((s) => s.engine);
  const pushError = useApp((s) => s.pushError);
  const from = useApp((s) => s.route.from);
  const source = useApp((s) => (from ? s.boxes[from] : undefined));
  const [form, setForm] = useState<LaunchForm>(EMPTY_FORM);
  const [advanced, setAdvanced] = useState(false);
  const [prefilledFrom, setPrefilledFrom] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const uid = useId();
  const set = <K extends keyof LaunchForm>(k: K, v: LaunchForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  // "Run again": prefill once per source box, as soon as the box is known.
  useEffect(() => {
    if (!from || !source || prefilledFrom === from) return;
    const next = source.spec ? formFromSpec(source.spec) : { ...EMPTY_FORM, image: source.image };
    setForm(next);
    setAdvanced(hasAdvanced(next));
    setPrefilledFrom(from);
  }, [from, source, prefilledFrom]);

  const { spec, problems: local } = useMemo(() => readForm(form), [form]);
  const remote = useCoreProblems(spec, !local.some((p) => p.field.startsWith('mounts')));
  const problems = useMemo(() => {
    const all = [...local];
    for (const p of remote) if (!all.some((q) => q.message === p.message)) all.push(p);
    return all;
  }, [local, remote]);
  // "An image is required" is no use before the user has typed anything: the empty field and the disabled button say it.
  const shown = problems.filter((p) => !(p.field === 'image' && !form.image));
  const of = (f: FormField) => shown.filter((p) => formField(p.field) === f);
  const advancedProblem = shown.some((p) => ADVANCED.includes(formField(p.field)));
  useEffect(() => {
    if (advancedProblem) setAdvanced(true);
  }, [advancedProblem]);

  /** Props that tie a field to its problems (aria-invalid + aria-describedby). */
  const a11y = (f: FormField) => {
    const has = of(f).length > 0;
    return { 'aria-invalid': has, ...(has ? { 'aria-describedby': `${uid}-${f}-problems` } : {}) };
  };
  const problemsOf = (f: FormField) => <Problems id={`${uid}-${f}-problems`} problems={of(f)} />;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (problems.length || busy) return;
    setBusy(true);
    try {
      // The box page shows pull progress and the live trace, so go there as soon as the box has an id.
      await launchBox(
        spec,
        // Only when the user is still here: never pull them away from a page they went to meanwhile.
        (boxId) => useApp.getState().route.page === 'launch' && navigate({ page: 'boxes', boxId }),
      );
    } catch (err) {
      pushError(errorInfo(err), `Launch of ${spec.image} failed`);
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
      {from && prefilledFrom === from && source && (
        <div className="notice notice-prefilled" role="status" data-testid="launch-prefilled">
          Prefilled from <a href={`#/boxes/${source.boxId}`}>{source.name}</a>
          {source.spec ? '' : ' (its image only: it was launched before Boxscope kept launch options)'}. Change what you
          need, then launch.
        </div>
      )}
      <div className="launcher-grid">
        <form className="card form" onSubmit={submit} noValidate>
          <label className="field">
            <span>Image</span>
            <input
              data-testid={TEST_ID.launchImage}
              value={form.image}
              onChange={(e) => set('image', e.target.value)}
              placeholder="ghcr.io/acme/api:1.4.2"
              autoComplete="off"
              spellCheck={false}
              required
              autoFocus
              {...a11y('image')}
            />
            {problemsOf('image')}
          </label>
          <CredentialHint image={form.image} />
          <label className="field">
            <span>Command</span>
            <input
              data-testid={TEST_ID.launchCommand}
              className="mono"
              value={form.command}
              onChange={(e) => set('command', e.target.value)}
              placeholder="the image's own CMD; e.g. sh -c 'echo hi'"
              autoComplete="off"
              spellCheck={false}
              {...a11y('command')}
            />
            {problemsOf('command')}
          </label>
          <div className="field-row">
            <label className="field">
              <span>Name</span>
              <input
                value={form.name}
                onChange={(e) => set('name', e.target.value)}
                placeholder="optional"
                spellCheck={false}
                {...a11y('name')}
              />
              {problemsOf('name')}
            </label>
            <label className="field">
              <span>Network</span>
              <select value={form.network} onChange={(e) => set('network', e.target.value)}>
                <option value="none">none (isolated)</option>
                <option value="host">host</option>
                <option value="bridge">bridge</option>
                {!['none', 'host', 'bridge'].includes(form.network) && (
                  <option value={form.network}>{form.network}</option>
                )}
              </select>
            </label>
            <label className="field">
              <span>Pull</span>
              <select value={form.pull} onChange={(e) => set('pull', e.target.value as PullPolicy)}>
                <option value="missing">if missing</option>
                <option value="always">always</option>
                <option value="never">never</option>
              </select>
            </label>
          </div>
          <div className="field-row">
            <label className="field">
              <span>Mounts</span>
              <textarea
                data-testid={TEST_ID.launchMounts}
                className="mono"
                value={form.mounts}
                onChange={(e) => set('mounts', e.target.value)}
                placeholder={'/host/path:/in/box[:ro] or volume:/in/box, one per line'}
                rows={3}
                spellCheck={false}
                {...a11y('mounts')}
              />
              {problemsOf('mounts')}
            </label>
            <label className="field">
              <span>Ports</span>
              <textarea
                data-testid={TEST_ID.launchPorts}
                className="mono"
                value={form.ports}
                onChange={(e) => set('ports', e.target.value)}
                placeholder={'[ip:][host:]box[/udp], one per line; e.g. 8080:80'}
                rows={3}
                spellCheck={false}
                {...a11y('ports')}
              />
              {problemsOf('ports')}
            </label>
          </div>
          <label className="field">
            <span>Environment</span>
            <textarea
              className="mono"
              value={form.envText}
              onChange={(e) => set('envText', e.target.value)}
              placeholder={'KEY=value, one per line'}
              rows={3}
              spellCheck={false}
              {...a11y('env')}
            />
            {problemsOf('env')}
          </label>
          <details className="advanced" open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
            <summary>
              Advanced <span className="muted small">entrypoint, working directory, user, labels, restart policy</span>
            </summary>
            <div className="advanced-body">
              <label className="field">
                <span>Entrypoint</span>
                <input
                  data-testid={TEST_ID.launchEntrypoint}
                  className="mono"
                  value={form.entrypoint}
                  onChange={(e) => set('entrypoint', e.target.value)}
                  placeholder="the image's own; '' clears it"
                  autoComplete="off"
                  spellCheck={false}
                  {...a11y('entrypoint')}
                />
                {problemsOf('entrypoint')}
              </label>
              <div className="field-row">
                <label className="field">
                  <span>Working directory</span>
                  <input
                    data-testid={TEST_ID.launchWorkdir}
                    className="mono"
                    value={form.workdir}
                    onChange={(e) => set('workdir', e.target.value)}
                    placeholder="the image's own; e.g. /app"
                    autoComplete="off"
                    spellCheck={false}
                    {...a11y('workdir')}
                  />
                  {problemsOf('workdir')}
                </label>
                <label className="field">
                  <span>User</span>
                  <input
                    className="mono"
                    value={form.user}
                    onChange={(e) => set('user', e.target.value)}
                    placeholder="uid[:gid] or name[:group]"
                    autoComplete="off"
                    spellCheck={false}
                    {...a11y('user')}
                  />
                  {problemsOf('user')}
                </label>
              </div>
              <label className="field">
                <span>Labels</span>
                <textarea
                  className="mono"
                  value={form.labels}
                  onChange={(e) => set('labels', e.target.value)}
                  placeholder={'name=value, one per line (not boxlite.* or boxscope.*)'}
                  rows={2}
                  spellCheck={false}
                  {...a11y('labels')}
                />
                {problemsOf('labels')}
              </label>
              <div className="field-row">
                <label className="field">
                  <span>Restart policy</span>
                  <select
                    value={form.restart}
                    onChange={(e) => set('restart', e.target.value as RestartPolicy)}
                    {...a11y('restart')}
                  >
                    {RESTART_POLICIES.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                  {problemsOf('restart')}
                </label>
                <label className="field">
                  <span>Maximum restarts</span>
                  <input
                    type="number"
                    min={0}
                    max={1000}
                    value={form.restartMax}
                    disabled={form.restart !== 'on-failure'}
                    onChange={(e) => set('restartMax', e.target.value)}
                    placeholder="no limit"
                  />
                </label>
              </div>
            </div>
          </details>
          <label className="check">
            <input type="checkbox" checked={form.daemon} onChange={(e) => set('daemon', e.target.checked)} />
            <span>
              Run the in-box daemon (emits <span className="mono">sandbox.boot</span> into this launch's trace)
            </span>
          </label>
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              data-testid={TEST_ID.launchSubmit}
              disabled={busy || problems.length > 0}
            >
              {busy ? 'Launching…' : 'Launch'}
            </button>
            <span className="muted small">
              {problems.length && form.image
                ? `${problems.length === 1 ? 'One problem' : `${problems.length} problems`} to fix first.`
                : 'The trace starts now, in this window, as box.create.'}
            </span>
          </div>
        </form>
        <RecentBoxes />
      </div>
    </section>
  );
}
