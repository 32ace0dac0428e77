import { describe, expect, it } from 'vitest';
import { noProxyMatches, proxyFor } from './proxy.js';

describe('proxyFor (the rules docker pull follows)', () => {
  const env = { HTTPS_PROXY: 'http://user:pw@proxy.corp:3128', http_proxy: 'proxy.corp:8080' };
  it.each([
    ['https://ghcr.io/v2/', env, 'http://user:pw@proxy.corp:3128/'],
    ['http://registry.corp:5000/v2/', env, 'http://proxy.corp:8080/'],
    ['https://localhost:5000/v2/', env, undefined],
    ['https://127.0.0.1:5000/v2/', env, undefined],
    ['https://[::1]:5000/v2/', env, undefined],
    ['https://ghcr.io/v2/', { ...env, NO_PROXY: 'ghcr.io' }, undefined],
    ['https://pkg.ghcr.io/v2/', { ...env, no_proxy: '.ghcr.io' }, undefined],
    ['https://ghcr.io/v2/', { ...env, NO_PROXY: 'ghcr.io:5000' }, 'http://user:pw@proxy.corp:3128/'],
    ['https://10.1.2.3/v2/', { ...env, NO_PROXY: '10.0.0.0/8' }, undefined],
    ['https://notghcr.io/v2/', { ...env, NO_PROXY: 'ghcr.io' }, 'http://user:pw@proxy.corp:3128/'],
    ['https://ghcr.io/v2/', { ...env, NO_PROXY: '*' }, undefined],
    ['https://ghcr.io/v2/', {}, undefined],
  ])('%s', (url, e, want) => {
    expect(proxyFor(new URL(url), e as NodeJS.ProcessEnv)?.href).toBe(want);
  });

  it('matches NO_PROXY entries with ports and brackets', () => {
    expect(noProxyMatches('a.example, [2001:db8::1]:443', '2001:db8::1', 443)).toBe(true);
    expect(noProxyMatches('a.example:80', 'a.example', 443)).toBe(false);
    expect(noProxyMatches('', 'a.example', 443)).toBe(false);
  });
});
