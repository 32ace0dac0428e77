import { describe, expect, it } from 'vitest';
import { realmMayGetSecret } from './probe.js';

describe('realmMayGetSecret', () => {
  it.each([
    ['https://ghcr.io/token', 'ghcr.io', 'ghcr.io', true],
    ['https://auth.docker.io/token', 'docker.io', 'registry-1.docker.io', true],
    ['http://ghcr.io/token', 'ghcr.io', 'ghcr.io', false],
    ['http://localhost:5000/token', 'localhost:5000', 'localhost:5000', false],
    ['https://evil.example/token', 'ghcr.io', 'ghcr.io', false],
    ['https://auth.docker.io/token', 'ghcr.io', 'ghcr.io', false],
    ['https://ghcr.io:8443/token', 'ghcr.io', 'ghcr.io', false],
  ])('%s for %s → %s', (realm, registry, host, ok) => {
    expect(realmMayGetSecret(new URL(realm), registry, host)).toBe(ok);
  });
});
