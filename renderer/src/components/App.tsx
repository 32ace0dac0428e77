import { useEffect } from 'react';
import { useApp } from '../state/app-store.js';
import { navigate, parseHash } from '../state/route.js';
import { call, errorInfo, listen, onReconnect } from '../api/client.js';
import { ErrorBanner } from './common/ErrorBanner.js';
import { HelpOverlay } from './common/HelpOverlay.js';
import { Launcher } from './launcher/Launcher.js';
import { BoxesPage } from './boxes/BoxesPage.js';
import { TracesPage } from './traces/TracesPage.js';
import { EngineSettings } from './settings/EngineSettings.js';
import { RegistrySettings } from './settings/RegistrySettings.js';
import { TraceSourceSettings } from './settings/TraceSourceSettings.js';
import { isTyping } from './common/keyboard.js';
import { NAV } from './nav.js';
import './App.css';

/** Live data every page shares: boxes, pulls, engine, app info. */
function useCoreFeeds() {
  useEffect(() => {
    const s = useApp.getState();
    const offs = [
      listen('boxes:changed', undefined, (b) => useApp.getState().upsertBox(b)),
      listen('pull:progress', undefined, (p) => useApp.getState().setPull(p)),
      // Box changes pushed while the connection was down were lost: read the list again.
      onReconnect(() => {
        call('engine:status').then(s.setEngine, () => undefined);
        call('boxes:list').then(s.setBoxes, () => undefined);
      }),
    ];
    call('app:info').then(s.setInfo, () => undefined);
    call('engine:status').then(s.setEngine, (e) => s.pushError(errorInfo(e), 'Engine check failed'));
    call('boxes:list').then(s.setBoxes, (e) => {
      s.setBoxes([]);
      s.pushError(errorInfo(e), 'Could not list boxes');
    });
    // While no engine answers, keep asking, so starting Docker is enough; then load its boxes.
    const recheck = setInterval(() => {
      const app = useApp.getState();
      if (!app.engine || app.engine.reachable) return;
      call('engine:status').then(
        (e) => {
          app.setEngine(e);
          if (e.reachable) call('boxes:list').then(app.setBoxes, () => undefined);
        },
        () => undefined,
      );
    }, 5000);
    return () => {
      clearInterval(recheck);
      offs.forEach((off) => off());
    };
  }, []);
}

function useGlobalKeys() {
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const app = useApp.getState();
      if (e.key === 'Escape' && app.helpOpen) {
        app.setHelp(false);
        e.preventDefault();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === '?') {
        app.setHelp(!app.helpOpen);
        e.preventDefault();
      } else if (e.key === 'T') {
        app.setTheme(app.theme === 'dark' ? 'light' : 'dark');
      } else if (e.key === 'g') {
        pendingG = Date.now();
      } else if (Date.now() - pendingG < 1200) {
        const target = NAV.find((n) => n.key === e.key);
        pendingG = 0;
        if (target) {
          navigate({ page: target.page });
          e.preventDefault();
          e.stopImmediatePropagation();
        }
      }
    };
    // Capture phase so `g t` is not also read as a timeline key.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}

export function App() {
  const route = useApp((s) => s.route);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  const setHelp = useApp((s) => s.setHelp);
  const engine = useApp((s) => s.engine);
  const info = useApp((s) => s.info);
  const running = useApp((s) => Object.values(s.boxes).filter((b) => b.state === 'running').length);

  useEffect(() => {
    const onHash = () => useApp.getState().setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useCoreFeeds();
  useGlobalKeys();

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Boxscope
        </div>
        {NAV.map((n) => (
          <a
            key={n.page}
            href={`#/${n.page}`}
            className={`nav-item${route.page === n.page ? ' active' : ''}`}
            aria-current={route.page === n.page ? 'page' : undefined}
          >
            {n.label}
            {n.page === 'boxes' && running > 0 && <span className="nav-count">{running}</span>}
          </a>
        ))}
        <div className="sidebar-foot">
          <div
            className={`engine ${engine ? (engine.reachable ? 'engine-ok' : 'engine-bad') : ''}`}
            title={engine?.endpoint}
          >
            <span className="state-dot" aria-hidden="true" />
            {engine
              ? engine.reachable
                ? `Docker ${engine.version ?? ''}${engine.context && engine.context !== 'default' ? ` · ${engine.context}` : ''}`
                : 'No engine'
              : 'Checking engine…'}
          </div>
          <div className="sidebar-buttons">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
              title="Toggle theme (T)"
            >
              {theme === 'dark' ? 'Light' : 'Dark'}
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setHelp(true)}
              title="Keyboard shortcuts (?)"
            >
              ?
            </button>
          </div>
          {info && (
            <div className="muted small">
              v{info.version} · {info.host}
            </div>
          )}
        </div>
      </nav>
      <main className="main">
        <ErrorBanner />
        {route.page === 'launch' && <Launcher />}
        {route.page === 'boxes' && <BoxesPage boxId={route.boxId} />}
        {route.page === 'traces' && <TracesPage traceId={route.traceId} spanId={route.spanId} />}
        {route.page === 'settings' && (
          <>
            <EngineSettings />
            <RegistrySettings />
            <TraceSourceSettings />
          </>
        )}
      </main>
      <HelpOverlay />
    </div>
  );
}
