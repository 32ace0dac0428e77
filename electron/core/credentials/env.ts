/** Env-gated, runtime-scoped credentials: read on each resolution, never written anywhere. */
import { APP_ENV } from '../../../shared/constants.js';
import type { Credential } from './types.js';

const PAIRS = [
  { registry: 'ghcr.io', user: APP_ENV.ghcrUser, token: APP_ENV.ghcrToken },
  { registry: 'docker.io', user: APP_ENV.dockerhubUser, token: APP_ENV.dockerhubToken },
] as const;

export function envCredentials(env: NodeJS.ProcessEnv): { entries: Credential[]; warnings: string[] } {
  const entries: Credential[] = [];
  const warnings: string[] = [];
  for (const p of PAIRS) {
    const user = env[p.user];
    const token = env[p.token];
    const hasUser = !!user && user.length > 0;
    const hasToken = !!token && token.length > 0;
    if (hasUser && hasToken) {
      entries.push({
        key: p.registry,
        registry: p.registry,
        source: 'env',
        sourceDetail: `${p.user}/${p.token}`,
        username: user,
        secret: token,
        readOnly: true,
      });
    } else if (hasUser !== hasToken) {
      const missing = hasUser ? p.token : p.user;
      const present = hasUser ? p.user : p.token;
      warnings.push(`${present} is set but ${missing} is not: no ${p.registry} credential from the environment`);
    }
  }
  return { entries, warnings };
}

/** Hosts from INSECURE_REGISTRIES, normalised; no credential is ever sent to them. */
export function insecureRegistries(env: NodeJS.ProcessEnv, normalize: (h: string) => string): Set<string> {
  const raw = env[APP_ENV.insecureRegistries] ?? '';
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(normalize),
  );
}
