import { useCallback, useEffect, useState } from 'react';
import type { EngineContexts } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';

const SOURCE: Record<EngineContexts['source'], string> = {
  flag: 'chosen here (or with --context)',
  DOCKER_HOST: 'from DOCKER_HOST',
  DOCKER_CONTEXT: 'from DOCKER_CONTEXT',
  config: 'the current context in Docker’s config',
  default: 'Docker’s default socket',
};

/** Which engine the app talks to (a Docker context, DOCKER_HOST or the default socket), and a switch. */
export function EngineSettings() {
  const engine = useApp((s) => s.engine);
  const setEngine = useApp((s) => s.setEngine);
  const setBoxes = useApp((s) => s.setBoxes);
  const pushError = useApp((s) => s.pushError);
  const [list, setList] = useState<EngineContexts | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(() => {
    call('engine:contexts').then(setList, (e) => pushError(errorInfo(e), 'Could not list Docker contexts'));
  }, [pushError]);
  useEffect(reload, [reload]);

  const use = async (context: string) => {
    setBusy(true);
    try {
      setEngine(await call('engine:use', { context }));
      reload();
      call('boxes:list').then(setBoxes, () => undefined);
    } catch (e) {
      pushError(errorInfo(e), `Could not switch to ${context}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page page-engine" data-testid="engine-settings">
      <div className="card">
        <h2>Docker engine</h2>
        <p className="muted small">
          {engine ? (
            <>
              <span className="mono">{engine.endpoint}</span>
              {engine.reachable ? ` — Docker ${engine.version ?? ''}` : ` — ${engine.message ?? 'not reachable'}`}
            </>
          ) : (
            'Checking…'
          )}
        </p>
        {list && (
          <label className="field">
            <span>Context ({SOURCE[list.source]})</span>
            <select
              aria-label="Docker context"
              value={list.current}
              disabled={busy}
              onChange={(e) => void use(e.target.value)}
            >
              {list.contexts.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} — {c.host}
                  {c.description ? ` (${c.description})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
    </section>
  );
}
