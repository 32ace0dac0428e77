import type { CredentialInfo, CredentialSource } from '../../../shared/models.js';

/** A credential as the runner holds it. Only `toInfo` output may leave the core. */
export interface Credential {
  /** `host` or `host/prefix/`. */
  key: string;
  registry: string;
  source: CredentialSource;
  sourceDetail: string;
  username?: string;
  secret?: string;
  /** Docker config's `identitytoken` (an OAuth refresh token). */
  identityToken?: string;
  readOnly: boolean;
}

export function toInfo(c: Credential): CredentialInfo {
  return {
    key: c.key,
    registry: c.registry,
    source: c.source,
    sourceDetail: c.sourceDetail,
    ...(c.username ? { username: c.username } : {}),
    readOnly: c.readOnly,
  };
}
