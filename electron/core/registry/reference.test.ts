import { describe, expect, it } from 'vitest';
import { apiHost, byLongestKey, keyMatches, normalizeRegistry, parseKey, parseReference } from './reference.js';

describe('parseReference', () => {
  it('reads Docker Hub short names as docker.io/library', () => {
    expect(parseReference('busybox')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
    });
    expect(parseReference('acme/app:2').canonical).toBe('docker.io/acme/app:2');
  });
  it('keeps a registry host with a port apart from the tag', () => {
    const r = parseReference('localhost:5000/acme/private-box:1');
    expect(r).toMatchObject({ registry: 'localhost:5000', repository: 'acme/private-box', tag: '1' });
  });
  it('reads digests', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    const r = parseReference(`ghcr.io/acme/app@${d}`);
    expect(r.digest).toBe(d);
    expect(r.tag).toBeUndefined();
  });
  it('normalises Docker Hub aliases', () => {
    expect(parseReference('index.docker.io/library/busybox:1').registry).toBe('docker.io');
    expect(parseReference('registry-1.docker.io/acme/x').registry).toBe('docker.io');
    expect(normalizeRegistry('https://index.docker.io/v1/')).toBe('docker.io');
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
  });
  it('rejects malformed references with INVALID_INPUT', () => {
    expect(() => parseReference('Acme/App')).toThrow(/Invalid image reference/);
    expect(() => parseReference('')).toThrow();
    expect(() => parseReference('ghcr.io/a@sha256:xyz')).toThrow(/digest/);
  });
});

describe('credential keys', () => {
  const ref = parseReference('ghcr.io/acme/team/app:1');
  it('matches a host key and whole-component prefixes only', () => {
    expect(keyMatches('ghcr.io', ref)).toBe(true);
    expect(keyMatches('ghcr.io/acme/', ref)).toBe(true);
    expect(keyMatches('ghcr.io/acme', ref)).toBe(true);
    expect(keyMatches('ghcr.io/ac', ref)).toBe(false);
    expect(keyMatches('ghcr.io/acme/', parseReference('ghcr.io/acme-evil/app'))).toBe(false);
    expect(keyMatches('docker.io', ref)).toBe(false);
  });
  it('orders the longest prefix first', () => {
    const keys = [{ key: 'ghcr.io' }, { key: 'ghcr.io/acme/team/' }, { key: 'ghcr.io/acme/' }].sort(byLongestKey);
    expect(keys.map((k) => k.key)).toEqual(['ghcr.io/acme/team/', 'ghcr.io/acme/', 'ghcr.io']);
  });
  it('canonicalises keys', () => {
    expect(parseKey('https://GHCR.io/acme').key).toBe('ghcr.io/acme/');
    expect(parseKey('index.docker.io').key).toBe('docker.io');
  });
});
