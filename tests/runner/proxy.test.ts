/**
 * Behind a proxy, the registry probe gets the answer `docker pull` would:
 * through HTTPS_PROXY (a real CONNECT tunnel to a real TLS registry that only
 * the proxy can reach by name), direct for NO_PROXY, and a message naming the
 * proxy — never its password — when the proxy is in the way.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../electron/core/credentials/index.js';
import { probeRegistry } from '../../electron/core/registry/probe.js';
import { startRegistry, type TestRegistry } from '../fixtures/index.js';
import { startForwardProxy, type ForwardProxy } from '../fixtures/forward-proxy.js';

const NAME = 'registry.boxscope-proxy.test';
const SECRET = 'pw-' + Math.random().toString(36).slice(2);
let reg: TestRegistry;
let proxy: ForwardProxy;
let guarded: ForwardProxy;
let regHost: string;

beforeAll(async () => {
  reg = await startRegistry({ users: [{ username: 'alice', password: SECRET }], host: NAME, trust: false });
  regHost = `${NAME}:${reg.port}`;
  proxy = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } });
  guarded = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' }, login: 'proxyuser:proxy-pass' });
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await guarded?.stop();
  await reg?.stop();
});

const cred = (): Credential => ({
  key: regHost,
  registry: regHost,
  source: 'env',
  sourceDetail: 'the test',
  username: 'alice',
  secret: SECRET,
  readOnly: true,
});
const probe = (env: NodeJS.ProcessEnv) =>
  probeRegistry({
    registry: regHost,
    credential: cred(),
    env: { NODE_EXTRA_CA_CERTS: reg.caCert, ...env },
    certsDir: path.join(reg.dir, 'no-certs.d'),
    timeoutMs: 5000,
  });

describe('the registry probe behind a proxy', () => {
  it('without a proxy the name does not resolve: unreachable', async () => {
    expect((await probe({})).outcome).toBe('unreachable');
  });

  it('through HTTPS_PROXY: a CONNECT tunnel, TLS verified end to end, the login accepted', async () => {
    proxy.targets.length = 0;
    const r = await probe({ HTTPS_PROXY: proxy.url });
    expect(r).toMatchObject({ outcome: 'ok' });
    expect(proxy.targets).toContain(regHost);
  });

  it('the lower-case https_proxy works too, and NO_PROXY sends it direct', async () => {
    expect((await probe({ https_proxy: proxy.url })).outcome).toBe('ok');
    proxy.targets.length = 0;
    const r = await probe({ HTTPS_PROXY: proxy.url, NO_PROXY: `.boxscope-proxy.test` });
    expect(r.outcome).toBe('unreachable');
    expect(proxy.targets).toEqual([]);
  });

  it('a proxy that asks for a login: the one in the URL is used, and never shown', async () => {
    const u = new URL(guarded.url);
    u.username = 'proxyuser';
    u.password = 'proxy-pass';
    expect((await probe({ HTTPS_PROXY: u.href })).outcome).toBe('ok');
    u.password = 'wrong-proxy-pass';
    const r = await probe({ HTTPS_PROXY: u.href });
    expect(r.outcome).toBe('unreachable');
    expect(r.message).toContain(`The proxy ${guarded.url} refused to reach ${regHost} without a login (407)`);
    expect(r.message).not.toContain('wrong-proxy-pass');
  });

  it('a proxy that is down: unreachable through it, naming the proxy and what to check', async () => {
    const r = await probe({ HTTPS_PROXY: 'http://u:proxy-secret@127.0.0.1:1' });
    expect(r.outcome).toBe('unreachable');
    expect(r.message).toContain('through the proxy http://127.0.0.1:1');
    expect(r.message).toContain('NO_PROXY');
    expect(r.message).not.toContain('proxy-secret');
  });
});
