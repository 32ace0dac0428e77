/**
 * Trace sources beyond one URL, against a real Jaeger (scripts/build-jaeger.sh):
 * named sources saved in the data dir (`boxscope sources`), `trace ID` asking
 * each saved source in turn when the trace is not here, `--from NAME`, a proxy
 * that is down, and a source that breaks off mid-answer. Proxy rules in full:
 * trace-source-proxy.test.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, freePort, runCli, tempHome, type TempHome } from '../fixtures/index.js';
import { jaegerBinary, sendCloudTrace, startJaeger, type TestJaeger } from '../fixtures/jaeger.js';

const bin = jaegerBinary();
if (!bin) console.warn('trace-sources: no Jaeger binary (run scripts/build-jaeger.sh): skipped');

let jaeger: TestJaeger;
const homes: TempHome[] = [];
const home = () => {
  const h = tempHome();
  homes.push(h);
  return h;
};

const cloudTrace = () => sendCloudTrace(jaeger);

describe.skipIf(!bin)('trace sources', () => {
  beforeAll(async () => {
    await buildCli();
    jaeger = await startJaeger(bin!);
  }, 120_000);
  afterAll(async () => {
    for (const h of homes) h.cleanup();
    await jaeger?.stop();
  });

  it('are saved by name (0600), listed in order, changed and removed; bad ones refused in one line', async () => {
    const h = home();
    expect((await runCli(['sources'], { env: h.env })).stdout).toContain('No trace sources saved');
    expect((await runCli(['sources', 'add', 'cloud', `${jaeger.query}/`], { env: h.env })).code).toBe(0);
    expect((await runCli(['sources', 'add', 'staging', 'https://jaeger.staging.example'], { env: h.env })).code).toBe(
      0,
    );
    const list = JSON.parse((await runCli(['sources', '--json'], { env: h.env })).stdout) as unknown;
    expect(list).toEqual([
      { name: 'cloud', url: jaeger.query },
      { name: 'staging', url: 'https://jaeger.staging.example' },
    ]);
    const file = path.join(h.home, 'trace-sources.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await runCli(['sources', 'add', 'staging', 'https://jaeger2.staging.example'], { env: h.env });
    expect((await runCli(['sources'], { env: h.env })).stdout).toContain('staging\thttps://jaeger2.staging.example');

    for (const [args, said] of [
      [['sources', 'add', 'x', 'https://user:pw@jaeger.example'], 'Put no credentials in a trace source URL'],
      [['sources', 'add', 'x', 'ftp://jaeger.example'], 'A trace source is an http:// or https:// URL, not ftp:'],
      [['sources', 'add', 'bad name', 'https://jaeger.example'], 'a source name is letters, digits'],
      [['sources', 'rm', 'nope'], 'No trace source named nope (saved: cloud, staging)'],
      [['trace', 'ab'.repeat(16), '--from', 'nope'], 'No trace source named nope (saved: cloud, staging)'],
    ] as const) {
      const r = await runCli([...args], { env: h.env });
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(said);
    }
    expect((await runCli(['sources', 'rm', 'staging'], { env: h.env })).code).toBe(0);
    expect(JSON.parse((await runCli(['sources', '--json'], { env: h.env })).stdout)).toEqual([
      { name: 'cloud', url: jaeger.query },
    ]);
  }, 60_000);

  it('`trace ID` asks each saved source in turn when the trace is not here; `--from NAME` asks one', async () => {
    const traceId = await cloudTrace();
    const h = home();
    const down = `http://127.0.0.1:${await freePort()}`;
    await runCli(['sources', 'add', 'old', down], { env: h.env });
    await runCli(['sources', 'add', 'cloud', jaeger.query], { env: h.env });
    const r = await runCli(['trace', traceId, '--json'], { env: h.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe(`boxscope: trace ${traceId} copied from the trace source cloud`);
    expect((JSON.parse(r.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['box.create']);
    // Stored now: asked again, no source is needed.
    expect((await runCli(['trace', traceId], { env: h.env })).stderr).toBe('');

    const other = home();
    await runCli(['sources', 'add', 'cloud', jaeger.query], { env: other.env });
    const named = await runCli(['trace', traceId, '--from', 'cloud', '--json'], { env: other.env });
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toBe('');

    // In none: one line naming every source and why.
    const missing = 'cd'.repeat(16);
    const none = await runCli(['trace', missing], { env: h.env });
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain(`Trace ${missing} was not found:`);
    expect(none.stderr).toContain(`Cannot reach the trace source old (${down}) (ECONNREFUSED)`);
    expect(none.stderr).toContain(`Trace ${missing} is not in the trace source cloud (${jaeger.query})`);
  }, 60_000);

  it('a proxy that is down is named in the one line (the rest of the proxy rules: trace-source-proxy.test.ts)', async () => {
    const url = `http://jaeger.test:${new URL(jaeger.query).port}`;
    const down = await runCli(['trace', 'ef'.repeat(16), '--from', url], {
      env: { ...home().env, HTTP_PROXY: `http://127.0.0.1:${await freePort()}` },
    });
    expect(down.code).not.toBe(0);
    expect(down.stderr.trim()).toMatch(
      /through the proxy http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check the URL, HTTPS_PROXY/,
    );
  }, 60_000);
});

describe('a trace source that breaks off mid-answer', () => {
  it('is one line that says so and keeps what came, not a crash', async () => {
    const T = 'a1'.repeat(16);
    const span = (i: number) =>
      JSON.stringify({
        traceID: T,
        spanID: (i + 1).toString(16).padStart(16, '0'),
        operationName: `op-${i}`,
        startTime: 1_700_000_000_000_000,
        duration: 5,
      });
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(
        `{"data":[{"traceID":"${T}","processes":{},"spans":[${Array.from({ length: 3000 }, (_, i) => span(i)).join(',')},`,
      );
      setTimeout(() => req.socket.destroy(), 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = tempHome();
    try {
      await buildCli();
      const r = await runCli(['trace', T, '--from', url], { env: h.env });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^boxscope: The trace source ${url} stopped sending trace ${T} \\(`));
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    } finally {
      h.cleanup();
      server.close();
    }
  }, 60_000);
});
