import { describe, expect, it } from 'vitest';
import { launchEnvDifferences } from './quick-server.js';

describe('the quick launcher: which callers the running core launches for', () => {
  const core = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: '/home/dev',
    DOCKER_HOST: 'unix:///var/run/docker.sock',
    GHCR_USERNAME: 'dev',
    GHCR_TOKEN: 'ghp_secret',
    TERM: 'xterm',
    BOXSCOPE_DEBUG: '1',
  };

  it('the same launch settings: taken, whatever else differs (terminal, npm’s .bin dirs, debug switches)', () => {
    expect(
      launchEnvDifferences(core, {
        ...core,
        TERM: 'dumb',
        SHLVL: '3',
        PATH: '/work/app/node_modules/.bin:/work/node_modules/.bin:/usr/local/bin:/usr/bin:/bin',
        BOXSCOPE_DEBUG: '',
        BOXSCOPE_QUICK: '1',
      }),
    ).toEqual([]);
  });

  it('any launch setting that differs, is missing or is extra: declined, naming the variable and never its value', () => {
    const caller = { ...core, GHCR_TOKEN: 'ghp_other', DOCKER_CONTEXT: 'ci', http_proxy: 'http://p:3128' };
    delete (caller as Record<string, string>).HOME;
    const differ = launchEnvDifferences(core, caller);
    expect(differ).toEqual(['DOCKER_CONTEXT', 'GHCR_TOKEN', 'HOME', 'http_proxy']);
    expect(differ.join(' ')).not.toContain('ghp_');
    expect(launchEnvDifferences(core, { ...core, PATH: '/opt/helpers:/usr/bin:/bin' })).toEqual(['PATH']);
    expect(launchEnvDifferences(core, { ...core, NODE_EXTRA_CA_CERTS: '/tmp/ca.pem' })).toEqual([
      'NODE_EXTRA_CA_CERTS',
    ]);
  });
});
