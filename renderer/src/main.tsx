import { createRoot } from 'react-dom/client';
// Before the components, whose stylesheets build on these and win ties by coming later.
import './styles/global.css';
import './styles/controls.css';
import './styles/status.css';
import './styles/tables.css';
import type { BoxscopeApi } from '../../shared/api.js';
import { notifyReconnect, setApi } from './api/client.js';
import { App } from './components/App.js';

async function connect(): Promise<BoxscopeApi> {
  if (window.boxscope) return window.boxscope;
  // Electron: the preload hands this page a MessagePort to the core's utility process.
  if (window.boxscopeHost?.kind === 'electron') {
    const { connectPortApi } = await import('./api/port-client.js');
    const api = await connectPortApi();
    window.boxscope = api;
    return api;
  }
  // Browser mode: no preload, so talk to `boxscope serve` over its WebSocket.
  const { connectBrowserApi } = await import('./api/ws-client.js');
  const api = await connectBrowserApi({ onReconnect: notifyReconnect });
  window.boxscope = api;
  return api;
}

const root = createRoot(document.getElementById('root')!);
connect().then(
  (api) => {
    setApi(api);
    root.render(<App />);
  },
  (err: unknown) => {
    root.render(
      <div className="boot-error" role="alert" data-testid="error-banner">
        <h1>Boxscope could not reach its core</h1>
        <p>{err instanceof Error ? err.message.split('\n')[0] : String(err)}</p>
        <p>In browser mode open the exact URL that `boxscope serve` printed: it carries the access token.</p>
      </div>,
    );
  },
);
