import { TEST_ID } from '../../../../shared/constants.js';
import { useApp } from '../../state/app-store.js';
import './ErrorBanner.css';

const HINTS: Partial<Record<string, string>> = {
  ENGINE_UNREACHABLE: 'Start Docker, or point DOCKER_HOST at a running engine.',
  REGISTRY_UNAUTHORIZED: 'Check the credential in Settings → Registries.',
  REGISTRY_FORBIDDEN: 'The token needs pull access (read:packages on ghcr.io).',
  REGISTRY_TLS: 'Trust the registry certificate or list it in INSECURE_REGISTRIES.',
  INSECURE_STORE: 'Confirm saving to the insecure store, or set up a keychain.',
};

export function ErrorBanner() {
  const errors = useApp((s) => s.errors);
  const dismiss = useApp((s) => s.dismissError);
  if (!errors.length) return null;
  return (
    <div className="error-banner" role="alert" data-testid={TEST_ID.errorBanner}>
      {errors.map((e) => (
        <div key={e.id} className="error-item" data-code={e.code}>
          <span className="error-icon" aria-hidden="true">
            !
          </span>
          <div className="error-text">
            {e.context && <strong>{e.context}: </strong>}
            <span className="error-message">{e.message}</span>
            {HINTS[e.code] && <div className="error-hint">{HINTS[e.code]}</div>}
          </div>
          <button type="button" className="icon-btn" onClick={() => dismiss(e.id)} aria-label="Dismiss error">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
