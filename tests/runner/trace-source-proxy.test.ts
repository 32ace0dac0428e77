/**
 * `boxscope trace ID --from URL` behind a proxy, by the rules `docker pull` follows (as the registry
 * probe: electron/core/registry/proxy.ts): a real Jaeger (scripts/build-jaeger.sh) whose query
 * endpoint only the forward proxy can reach by name is read through HTTP_PROXY, NO_PROXY sends the
 * request direct, and a proxy that wants a login says so — its password never shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, tempHome, type TempHome } from '../fixtures/index.js';
import { startForwardProxy, type ForwardProxy } from '../fixtures/forward-proxy.js';
import { jaegerBinary, sendCloudTrace, startJaeger, type TestJaeger } from '../fixtures/jaeger.js';

const NAME = 'jaeger.boxscope-proxy.test';
const PROXY_PASSWORD = 'proxy-pw-' + Math.random().toString(36).slice(2);
const bin = jaegerBinary();
if (!bin) console.warn('trace-source-proxy: no Jaeger binary (run scripts/build-jaeger.sh): skipped');

let jaeger: TestJaeger;
let proxy: ForwardProxy;
let guarded: ForwardProxy;
let source: string;
let traceId: string;
const homes: TempHome[] = [];
const home = () => {
  const h = tempHome();
  homes.push(h);
  return h;
};
const fetchTrace = (env: NodeJS.ProcessEnv) =>
  runCli(['trace', traceId, '--from', source, '--json'], { env: { ...home().env, ...env } });

describe.skipIf(!bin)('a trace source behind a proxy', () => {
  beforeAll(async () => {
    await buildCli();
    jaeger = await startJaeger(bin!);
    const port = new URL(jaeger.query).port;
    source = `http://${NAME}:${port}`;
    proxy = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } });
    guarded = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' }, login: `proxyuser:${PROXY_PASSWORD}` });
    traceId = await sendCloudTrace(jaeger, ['container.start']);
  }, 120_000);

  afterAll(async () => {
    for (const h of homes) h.cleanup();
    await proxy?.stop();
    await guarded?.stop();
    await jaeger?.stop();
  });

  it('without a proxy the name does not resolve: one line', async () => {
    const r = await fetchTrace({});
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`boxscope: Cannot reach the trace source ${source} (ENOTFOUND): check the URL`);
  }, 60_000);

  it('through HTTP_PROXY: the trace opens, and the request went through the proxy', async () => {
    proxy.targets.length = 0;
    const r = await fetchTrace({ HTTP_PROXY: proxy.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const spans = JSON.parse(r.stdout) as Array<{ name: string }>;
    expect(spans.map((s) => s.name).sort()).toEqual(['box.create', 'container.start']);
    expect(proxy.targets).toContain(`${NAME}:${new URL(source).port}`);
  }, 60_000);

  it('NO_PROXY for its domain: direct, so the name does not resolve, and the proxy saw nothing', async () => {
    proxy.targets.length = 0;
    const r = await fetchTrace({ HTTP_PROXY: proxy.url, NO_PROXY: '.boxscope-proxy.test' });
    expect(r.stderr.trim()).toBe(`boxscope: Cannot reach the trace source ${source} (ENOTFOUND): check the URL`);
    expect(proxy.targets).toEqual([]);
  }, 60_000);

  it('a proxy that wants a login: says so; with the login in HTTP_PROXY it opens, the password never shown', async () => {
    const bare = await fetchTrace({ http_proxy: guarded.url });
    expect(bare.code).not.toBe(0);
    expect(bare.stderr.trim()).toBe(
      `boxscope: The proxy ${guarded.url} wants a login (407) for the trace source ${source}: put it in HTTP_PROXY (http://USER:PASSWORD@HOST:PORT)`,
    );
    const wrong = await fetchTrace({ HTTP_PROXY: guarded.url.replace('//', '//proxyuser:not-it@') });
    expect(wrong.stderr.trim()).toBe(
      `boxscope: The proxy ${guarded.url} refused its login (407) for the trace source ${source}: check the user and password in HTTP_PROXY`,
    );
    const ok = await fetchTrace({ HTTP_PROXY: guarded.url.replace('//', `//proxyuser:${PROXY_PASSWORD}@`) });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    for (const r of [bare, wrong, ok]) expect(r.stdout + r.stderr).not.toContain(PROXY_PASSWORD);
  }, 60_000);
});
