import { describe, expect, it } from 'vitest';
import { normalizeRegistry } from '../registry/reference.js';
import { envCredentials, insecureRegistries } from './env.js';

describe('env credentials', () => {
  it('gives a ghcr.io entry for a full pair, naming the variables as its source', () => {
    const r = envCredentials({ GHCR_USERNAME: 'u', GHCR_TOKEN: 't0k' });
    expect(r.warnings).toEqual([]);
    expect(r.entries).toMatchObject([
      { registry: 'ghcr.io', source: 'env', sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN', username: 'u' },
    ]);
  });
  it('adds nothing for a half pair and names the missing variable', () => {
    const r = envCredentials({ GHCR_USERNAME: 'u', DOCKERHUB_TOKEN: 'x' });
    expect(r.entries).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/GHCR_TOKEN is not/);
    expect(r.warnings.join('\n')).toMatch(/DOCKERHUB_USERNAME is not/);
    expect(r.warnings.join('\n')).not.toContain('x');
  });
  it('is silent when unset', () => {
    expect(envCredentials({})).toEqual({ entries: [], warnings: [] });
  });
  it('parses INSECURE_REGISTRIES', () => {
    expect([
      ...insecureRegistries({ INSECURE_REGISTRIES: ' localhost:5000, index.docker.io ,' }, normalizeRegistry),
    ]).toEqual(['localhost:5000', 'docker.io']);
  });
});
