/** Browser mode against a real core: HTTP guard, static files, the WebSocket API and the renderer's client. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Box } from '../../shared/models.js';
import { BoxscopeError } from '../../shared/errors.js';
import { createCore, type Core } from '../core/service.js';
import { connectBrowserApi } from '../../renderer/src/api/ws-client.js';
import { CSP } from './security.js';
import { startServer, type BrowserServer } from './server.js';

let home: string;
let staticDir: string;
let core: Core;
let server: BrowserServer;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-serve-'));
  staticDir = path.join(home, 'dist');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Boxscope</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  core = await createCore({
    host: 'browser',
    home: path.join(home, 'data'),
    otlpPort: 0,
    env: { ...process.env, BOXSCOPE_HOME: path.join(home, 'data'), DOCKER_HOST: `unix://${home}/no-engine.sock` },
  });
  server = await startServer({ core, staticDir });
});

afterAll(async () => {
  await server?.close();
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function get(p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function openSocket(query: string, headers: Record<string, string> = {}) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, msg: unknown) {
  return new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString());
      if ('id' in m) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('browser mode HTTP', () => {
  it('prints a loopback URL with a 32-byte token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('serves the renderer with the strict CSP to the token holder, and sets a cookie for its assets', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Boxscope</title>');
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await get('/assets/app.js', { Cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('answers 403 without the token, with a wrong one, or for a non-loopback Host/Origin', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
    expect((await get(`/?token=${'0'.repeat(64)}`)).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { Host: 'attacker.example:80' })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { Origin: 'http://attacker.example' })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('never serves files outside the renderer build', async () => {
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd']) {
      const r = await get(`${p}?token=${server.token}`);
      expect(r.body, p).not.toContain('root:');
    }
  });

  it('refuses to listen on a non-loopback address unless asked', async () => {
    await expect(startServer({ core, staticDir, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe('browser mode WebSocket API', () => {
  it('refuses the upgrade without the token or from another origin', async () => {
    await expect(openSocket('')).rejects.toThrow('HTTP 403');
    await expect(openSocket('?token=nope')).rejects.toThrow('HTTP 403');
    await expect(openSocket(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openSocket(`?token=${server.token}`, { Origin: 'http://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
  });

  it('carries calls as envelopes against the real core', async () => {
    const ws = await openSocket(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` });
    try {
      const info = await call(ws, { id: 1, channel: 'app:info' });
      expect(info).toMatchObject({ id: 1, ok: true, result: { host: 'browser', home: path.join(home, 'data') } });
      const engine = await call(ws, { id: 2, channel: 'engine:status' });
      expect(engine).toMatchObject({ id: 2, ok: true, result: { reachable: false } });
    } finally {
      ws.close();
    }
  });

  it('validates input and answers errors as ErrorInfo only', async () => {
    const ws = await openSocket(`?token=${server.token}`);
    try {
      const bad = await call(ws, { id: 'x', channel: 'boxes:launch', arg: { image: 7 } });
      expect(bad).toMatchObject({ id: 'x', ok: false, error: { code: 'INVALID_INPUT' } });
      expect(Object.keys(bad.error as object).sort()).toEqual(['code', 'message']);
      const unknown = await call(ws, { id: 3, channel: 'shell:exec', arg: 'id' });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      const notJson = await call(ws, '{nope');
      expect(notJson).toMatchObject({ id: null, ok: false, error: { code: 'INVALID_INPUT' } });
      expect(JSON.stringify([bad, unknown, notJson])).not.toMatch(/\bat .*\.(ts|js):\d+/);
    } finally {
      ws.close();
    }
  });

  it('drops a page that sends an oversized message and keeps serving the others', async () => {
    const small = await startServer({ core, staticDir, maxMessageBytes: 1024 });
    try {
      const open = (q: string) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${small.port}/api${q}`);
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        });
      const big = await open(`?token=${small.token}`);
      big.on('error', () => {});
      const closed = new Promise<number>((r) => big.once('close', (code) => r(code)));
      big.send(JSON.stringify({ id: 1, channel: 'traces:import', arg: { fileName: 'x', content: 'x'.repeat(4096) } }));
      expect(await closed).toBe(1009);
      const other = await open(`?token=${small.token}`);
      await expect(call(other, { id: 2, channel: 'app:info' })).resolves.toMatchObject({ ok: true });
      other.close();
    } finally {
      await small.close();
    }
  });

  it('stops a log follow when the last page reading it goes away, and not before', async () => {
    // The real core with the two follow channels recorded (following needs a live box).
    const calls: string[] = [];
    const recording = {
      on: core.on,
      invoke: (async (channel: string, arg: unknown) => {
        if (channel === 'boxes:followLogs' || channel === 'boxes:unfollowLogs') {
          calls.push(`${channel} ${(arg as { boxId: string }).boxId}`);
          return undefined;
        }
        return core.invoke(channel as never, arg as never);
      }) as typeof core.invoke,
    };
    const s = await startServer({ core: recording, staticDir });
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    try {
      const a = await open();
      const b = await open();
      await call(a, { id: 1, channel: 'boxes:followLogs', arg: { boxId: 'bx-1' } });
      await call(b, { id: 2, channel: 'boxes:followLogs', arg: { boxId: 'bx-1' } });
      await expect(call(a, { id: 3, channel: 'boxes:unfollowLogs', arg: { boxId: 'bx-1' } })).resolves.toMatchObject({
        ok: true,
      });
      expect(calls.filter((c) => c.startsWith('boxes:unfollowLogs'))).toEqual([]);
      // A page that never followed these logs cannot end the follow b still reads.
      const c = await open();
      await expect(call(c, { id: 4, channel: 'boxes:unfollowLogs', arg: { boxId: 'bx-1' } })).resolves.toMatchObject({
        ok: true,
      });
      c.close();
      expect(calls.filter((x) => x.startsWith('boxes:unfollowLogs'))).toEqual([]);
      b.close();
      for (let i = 0; i < 100 && !calls.includes('boxes:unfollowLogs bx-1'); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(calls).toEqual(['boxes:followLogs bx-1', 'boxes:followLogs bx-1', 'boxes:unfollowLogs bx-1']);
      a.close();
    } finally {
      await s.close();
    }
  });

  it('ends a log follow whose page closed while the follow was being set up', async () => {
    const calls: string[] = [];
    const slow = {
      on: core.on,
      invoke: (async (channel: string, arg: unknown) => {
        if (channel === 'boxes:followLogs') await new Promise((r) => setTimeout(r, 100));
        calls.push(`${channel} ${(arg as { boxId?: string } | undefined)?.boxId ?? ''}`);
        return undefined;
      }) as typeof core.invoke,
    };
    const s = await startServer({ core: slow, staticDir });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ id: 1, channel: 'boxes:followLogs', arg: { boxId: 'bx-3' } }));
      ws.close();
      for (let i = 0; i < 100 && !calls.includes('boxes:unfollowLogs bx-3'); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(calls).toEqual(['boxes:followLogs bx-3', 'boxes:unfollowLogs bx-3']);
    } finally {
      await s.close();
    }
  });

  it('pushes core events to every connected page', async () => {
    const ws = await openSocket(`?token=${server.token}`);
    try {
      const got = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      const box = {
        boxId: 'b1',
        name: 'n',
        image: 'busybox',
        state: 'running',
        createdAt: 1,
        daemon: true,
      } satisfies Box;
      core.ctx.events.emit('boxes:changed', box);
      await expect(got).resolves.toEqual({ event: 'boxes:changed', payload: box });
    } finally {
      ws.close();
    }
  });
});

describe('renderer client (connectBrowserApi)', () => {
  const location = () => ({ protocol: 'http:', host: `127.0.0.1:${server.port}`, search: `?token=${server.token}` });

  it('invokes channels, rebuilds BoxscopeErrors, and delivers events', async () => {
    const api = await connectBrowserApi({ location: location(), WebSocketImpl: WebSocket as never });
    await expect(api.invoke('app:info')).resolves.toMatchObject({ host: 'browser' });
    const err = await api.invoke('traces:get', { traceId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BoxscopeError);
    expect((err as BoxscopeError).code).toBe('INVALID_INPUT');
    const chunks: unknown[] = [];
    const off = api.on('logs:chunk', (c) => chunks.push(c));
    const arrived = new Promise<void>((r) => api.on('logs:chunk', () => r()));
    core.ctx.events.emit('logs:chunk', { boxId: 'b1', stream: 'stdout', text: 'hello' });
    await arrived;
    expect(chunks).toEqual([{ boxId: 'b1', stream: 'stdout', text: 'hello' }]);
    off();
  });

  it('fails to connect with a clear message when the token is wrong', async () => {
    const p = connectBrowserApi({
      location: { ...location(), search: '?token=bad' },
      WebSocketImpl: WebSocket as never,
      maxBackoffMs: 50,
    });
    await expect(p).rejects.toThrow(/token|Cannot reach|closed/);
  });

  it('follows the same logs again after a reconnect, as the server ends the follows of a closed socket', async () => {
    const calls: string[] = [];
    const recording = {
      on: core.on,
      invoke: (async (channel: string, arg: unknown) => {
        calls.push(`${channel} ${(arg as { boxId?: string } | undefined)?.boxId ?? ''}`);
        return channel.startsWith('boxes:') ? undefined : core.invoke(channel as never, arg as never);
      }) as typeof core.invoke,
    };
    const token = 'd'.repeat(64);
    const first = await startServer({ core: recording, staticDir, token });
    const loc = { protocol: 'http:', host: `127.0.0.1:${first.port}`, search: `?token=${token}` };
    const api = await connectBrowserApi({ location: loc, WebSocketImpl: WebSocket as never, maxBackoffMs: 100 });
    await api.invoke('boxes:followLogs', { boxId: 'bx-2' });
    await first.close();
    const second = await startServer({ core: recording, staticDir, token, port: first.port });
    try {
      for (let i = 0; i < 300 && calls.filter((c) => c === 'boxes:followLogs bx-2').length < 2; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(calls.filter((c) => c === 'boxes:followLogs bx-2')).toHaveLength(2);
      await api.invoke('boxes:unfollowLogs', { boxId: 'bx-2' });
      expect(calls).toContain('boxes:unfollowLogs bx-2');
    } finally {
      await second.close();
    }
  });

  it('reconnects when the server comes back, sending calls made while it was away', async () => {
    const token = 'c'.repeat(64);
    const first = await startServer({ core, staticDir, token });
    const loc = { protocol: 'http:', host: `127.0.0.1:${first.port}`, search: `?token=${token}` };
    let reconnects = 0;
    const api = await connectBrowserApi({
      location: loc,
      WebSocketImpl: WebSocket as never,
      maxBackoffMs: 100,
      onReconnect: () => reconnects++,
    });
    await expect(api.invoke('app:info')).resolves.toMatchObject({ host: 'browser' });
    expect(reconnects).toBe(0);
    await first.close();
    // Let the client see the close (a call racing it is rejected as lost, by design).
    await new Promise((r) => setTimeout(r, 50));
    const pending = api.invoke('app:info');
    const second = await startServer({ core, staticDir, token, port: first.port });
    try {
      await expect(pending).resolves.toMatchObject({ host: 'browser' });
      expect(reconnects).toBe(1);
    } finally {
      await second.close();
    }
  });
});
