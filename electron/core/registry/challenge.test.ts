import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('reads a ghcr.io-style Bearer challenge', () => {
    const c = parseChallenges(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull"',
    );
    expect(c).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/app:pull' },
      },
    ]);
  });
  it('reads Basic and several challenges in one header', () => {
    const c = parseChallenges(
      'Basic realm="boxscope-test", Bearer realm="https://auth.example/token", error="invalid_token"',
    );
    expect(c.map((x) => x.scheme)).toEqual(['basic', 'bearer']);
    expect(c[0].params.realm).toBe('boxscope-test');
    expect(c[1].params.error).toBe('invalid_token');
  });
  it('handles escaped quotes, unquoted values and empty input', () => {
    expect(parseChallenges('Basic realm="a \\"b\\" c"')[0].params.realm).toBe('a "b" c');
    expect(parseChallenges('Bearer realm=https://x/token')[0].params.realm).toBe('https://x/token');
    expect(parseChallenges(undefined)).toEqual([]);
  });
});
