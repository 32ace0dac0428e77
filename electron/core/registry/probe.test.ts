import { describe, expect, it } from 'vitest';
import { realmMayGetSecret } from './probe.js';

describe('realmMayGetSecret', () => {
  it.each([
    ['https://ghcr.io/token', true, true],
    ['https://auth.docker.io/token', true, true],
    // A token service on another host or port, named by the registry's own challenge over TLS.
    ['https://auth.example.com/token', true, true],
    ['https://ghcr.io:8443/token', true, true],
    // Clear text on the wire, or a challenge anyone on the path could have written.
    ['http://ghcr.io/token', true, false],
    ['http://localhost:5000/token', true, false],
    ['https://ghcr.io/token', false, false],
  ])('%s (challenge over TLS: %s) → %s', (realm, overTls, ok) => {
    expect(realmMayGetSecret(new URL(realm), overTls)).toBe(ok);
  });
});
