import { useCallback, useEffect, useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import type { CredentialInfo, RegistryCheckResult, SecretStoreStatus } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { EmptyState } from '../common/EmptyState.js';
import './RegistrySettings.css';

function CheckResult({ r }: { r: RegistryCheckResult }) {
  return (
    <div className={`check-result ${r.outcome === 'ok' ? 'check-ok' : 'check-bad'}`} role="status">
      <strong>{r.outcome === 'ok' ? 'OK' : r.outcome}</strong> {r.message}
    </div>
  );
}

export function RegistrySettings() {
  const pushError = useApp((s) => s.pushError);
  const [creds, setCreds] = useState<CredentialInfo[] | null>(null);
  const [store, setStore] = useState<SecretStoreStatus | null>(null);
  const [key, setKey] = useState('');
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [acceptInsecure, setAcceptInsecure] = useState(false);
  const [needsAccept, setNeedsAccept] = useState(false);
  const [busy, setBusy] = useState(false);
  const [checks, setChecks] = useState<Record<string, RegistryCheckResult>>({});
  const [formCheck, setFormCheck] = useState<RegistryCheckResult | null>(null);

  const reload = useCallback(() => {
    call('registries:list').then(setCreds, (e) => pushError(errorInfo(e), 'Could not list credentials'));
    call('registries:storeStatus').then(setStore, () => undefined);
  }, [pushError]);
  useEffect(reload, [reload]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await call('registries:save', {
        key: key.trim(),
        username: username.trim(),
        secret,
        acceptInsecureStore: acceptInsecure || undefined,
      });
      // The secret lives only in the core from here on.
      setSecret('');
      setKey('');
      setUsername('');
      setNeedsAccept(false);
      setAcceptInsecure(false);
      setFormCheck(null);
      reload();
    } catch (err) {
      const info = errorInfo(err);
      if (info.code === 'INSECURE_STORE') setNeedsAccept(true);
      pushError(info, 'Credential not saved');
    } finally {
      setBusy(false);
    }
  };

  const testForm = async () => {
    setBusy(true);
    try {
      setFormCheck(
        await call('registries:test', {
          key: key.trim(),
          username: username.trim() || undefined,
          secret: secret || undefined,
        }),
      );
    } catch (err) {
      pushError(errorInfo(err), 'Test failed');
    } finally {
      setBusy(false);
    }
  };

  const testSaved = async (k: string) => {
    try {
      const r = await call('registries:test', { key: k });
      setChecks((c) => ({ ...c, [k]: r }));
    } catch (err) {
      pushError(errorInfo(err), `Test of ${k} failed`);
    }
  };

  const remove = async (k: string) => {
    try {
      await call('registries:remove', { key: k });
      reload();
    } catch (err) {
      pushError(errorInfo(err), `Could not remove ${k}`);
    }
  };

  const insecure = store && !store.secure;
  return (
    <section className="page" data-testid={TEST_ID.registrySettings}>
      <header className="page-head">
        <h1>Registries</h1>
        <p className="muted">
          Credentials for private registries. Secrets stay in the app's core and are never shown again, logged or put in
          traces.
        </p>
      </header>
      {store && (
        <div className={`notice ${insecure ? 'notice-warn' : 'notice-ok'}`} role="status" data-testid="store-status">
          {insecure ? (
            <>
              <strong>Secret store is not secure ({store.backend}).</strong>{' '}
              {store.message ?? 'Saved secrets are readable by anyone with access to your files.'}
            </>
          ) : (
            <>
              Secrets are kept in <strong>{store.backend}</strong>.
            </>
          )}
        </div>
      )}
      <div className="card">
        <h2>Credentials</h2>
        {creds === null ? (
          <p className="muted">Loading…</p>
        ) : creds.length === 0 ? (
          <EmptyState title="No credentials">
            Public images pull without one. For a private registry add one below, or set GHCR_USERNAME/GHCR_TOKEN (or
            DOCKERHUB_USERNAME/DOCKERHUB_TOKEN) in the environment, or log in with docker login.
          </EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Registry</th>
                <th>User</th>
                <th>Source</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {creds.map((c) => (
                <tr key={`${c.source}:${c.key}`} data-cred-key={c.key} data-source={c.source}>
                  <td className="mono">{c.key}</td>
                  <td>{c.username ?? <span className="muted">token</span>}</td>
                  <td>
                    <span className="badge">{c.source}</span> <span className="muted small">{c.sourceDetail}</span>
                    {c.readOnly && (
                      <span className="badge badge-muted" title="Set outside the app; change it at its source">
                        read-only
                      </span>
                    )}
                    {checks[c.key] && <CheckResult r={checks[c.key]} />}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => testSaved(c.key)}>
                      Test
                    </button>
                    {!c.readOnly && (
                      <button type="button" className="btn btn-small btn-danger-soft" onClick={() => remove(c.key)}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form className="card form" onSubmit={save} autoComplete="off">
        <h2>Add a credential</h2>
        <div className="field-row">
          <label className="field">
            <span>Registry</span>
            <input
              value={key}
              onChange={(e) => setKey(e.target.value)}
              placeholder="ghcr.io or ghcr.io/acme/"
              spellCheck={false}
              required
            />
          </label>
          <label className="field">
            <span>Username</span>
            <input
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              spellCheck={false}
              autoComplete="off"
              required
            />
          </label>
          <label className="field">
            <span>Password or token</span>
            <input
              type="password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              autoComplete="new-password"
              placeholder="write-only"
              aria-label="Password or token"
              required
            />
          </label>
        </div>
        {(insecure || needsAccept) && (
          <label className="check">
            <input type="checkbox" checked={acceptInsecure} onChange={(e) => setAcceptInsecure(e.target.checked)} />
            Save anyway in the insecure store
          </label>
        )}
        {formCheck && <CheckResult r={formCheck} />}
        <div className="form-actions">
          <button type="button" className="btn" disabled={busy || !key.trim()} onClick={testForm}>
            Test
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !key.trim() || !username.trim() || !secret}
          >
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
