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
import { decodeFrame } from '../../shared/wire.js';
import { CSP } from '../host-common/security.js';
import type { CoreEntry } from '../host-common/wire-server.js';
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

/** Sends one message and resolves with the first reply naming `id` (or null for an unattributable error). */
function request(ws: WebSocket, msg: unknown, id: unknown = (msg as { id?: unknown }).id) {
  return new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString());
      if (m.id === id || m.id === null) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

const call = (ws: WebSocket, id: number, channel: string, arg?: unknown) =>
  request(ws, { t: 'call', id, channel, arg });

/** A CoreEntry that records what reaches it, for transport-level behaviour (the real core serves the rest). */
function recordingEntry(base: Core) {
  const log: string[] = [];
  const aborted: string[] = [];
  const entry: CoreEntry = {
    call: (channel, arg, signal) => {
      if (channel === 'test:slow') {
        log.push('call test:slow');
        return new Promise((_r, reject) =>
          signal.addEventListener('abort', () => {
            aborted.push('call test:slow');
            reject(new Error('aborted'));
          }),
        );
      }
      return base.call(channel, arg, signal);
    },
    listen: async (stream, arg, emit, signal) => {
      const name = `${String(stream)} ${(arg as { boxId?: string } | undefined)?.boxId ?? ''}`.trim();
      log.push(`listen ${name}`);
      if (stream === 'test:bytes') {
        emit(new Uint8Array([1, 2, 3, 250]).buffer);
        return;
      }
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      aborted.push(`listen ${name}`);
    },
  };
  return { entry, log, aborted };
}

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('browser mode HTTP', () => {
  it('prints a loopback URL with a 32-byte token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('serves the renderer with the strict CSP to the token holder, and never puts the token in a cookie', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Boxscope</title>');
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // A cookie for 127.0.0.1 would reach every other server on loopback.
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(page.headers)).not.toContain(server.token);
    const asset = await get('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('answers 403 without the token, with a wrong one, or for a non-loopback Host/Origin', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/assets/app.js', { Host: 'attacker.example:80' })).status).toBe(403);
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

  it('carries calls against the real core', async () => {
    const ws = await openSocket(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` });
    try {
      const info = await call(ws, 1, 'app:info');
      expect(info).toMatchObject({ t: 'ok', id: 1, result: { host: 'browser', home: path.join(home, 'data') } });
      const engine = await call(ws, 2, 'engine:status');
      expect(engine).toMatchObject({ t: 'ok', id: 2, result: { reachable: false } });
    } finally {
      ws.close();
    }
  });

  it('validates input at the core and answers errors as ErrorInfo only', async () => {
    const ws = await openSocket(`?token=${server.token}`);
    try {
      const bad = await call(ws, 1, 'boxes:launch', { image: 7 });
      expect(bad).toMatchObject({ t: 'err', id: 1, error: { code: 'INVALID_INPUT' } });
      expect(Object.keys(bad.error as object).sort()).toEqual(['code', 'message']);
      const unknown = await call(ws, 3, 'shell:exec', 'id');
      expect(unknown).toMatchObject({ t: 'err', error: { code: 'INVALID_INPUT' } });
      const objectName = await call(ws, 4, { toString: 1 } as never);
      expect(objectName).toMatchObject({ t: 'err', id: 4, error: { code: 'INVALID_INPUT' } });
      const badStream = await request(ws, { t: 'listen', id: 5, stream: 'logs:follow', arg: { boxId: 5 } });
      expect(badStream).toMatchObject({ t: 'end', id: 5, error: { code: 'INVALID_INPUT' } });
      const noId = await request(ws, { t: 'call', id: 'x', channel: 'app:info' }, null);
      expect(noId).toMatchObject({ t: 'err', id: null, error: { code: 'INVALID_INPUT' } });
      const notJson = await request(ws, '{nope', null);
      expect(notJson).toMatchObject({ id: null, t: 'err', error: { code: 'INVALID_INPUT' } });
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
      big.send(
        JSON.stringify({
          t: 'call',
          id: 1,
          channel: 'traces:import',
          arg: { fileName: 'x', content: 'x'.repeat(4096) },
        }),
      );
      expect(await closed).toBe(1009);
      const other = await open(`?token=${small.token}`);
      await expect(call(other, 2, 'app:info')).resolves.toMatchObject({ t: 'ok' });
      other.close();
    } finally {
      await small.close();
    }
  });

  it("disposes a page's streams when it goes away, never another page's", async () => {
    const rec = recordingEntry(core);
    const s = await startServer({ core: rec.entry, staticDir });
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    try {
      const a = await open();
      const b = await open();
      a.send(JSON.stringify({ t: 'listen', id: 1, stream: 'logs:follow', arg: { boxId: 'bx-1' } }));
      b.send(JSON.stringify({ t: 'listen', id: 1, stream: 'logs:follow', arg: { boxId: 'bx-1' } }));
      await until(() => rec.log.length === 2, 'both follows');
      // Another page cannot end a's or b's stream: ids are per connection.
      const c = await open();
      c.send(JSON.stringify({ t: 'cancel', id: 1 }));
      c.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(rec.aborted).toEqual([]);
      b.close();
      await until(() => rec.aborted.length === 1, "b's follow to end");
      expect(rec.aborted).toEqual(['listen logs:follow bx-1']);
      // a's own cancel ends its stream.
      a.send(JSON.stringify({ t: 'cancel', id: 1 }));
      await until(() => rec.aborted.length === 2, "a's follow to end");
      a.close();
    } finally {
      await s.close();
    }
  });

  it('aborts a call when its page cancels it or goes away', async () => {
    const rec = recordingEntry(core);
    const s = await startServer({ core: rec.entry, staticDir });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ t: 'call', id: 1, channel: 'test:slow' }));
      await until(() => rec.log.length === 1, 'the call');
      ws.send(JSON.stringify({ t: 'cancel', id: 1 }));
      await until(() => rec.aborted.length === 1, 'the cancel');
      ws.send(JSON.stringify({ t: 'call', id: 2, channel: 'test:slow' }));
      await until(() => rec.log.length === 2, 'the second call');
      ws.close();
      await until(() => rec.aborted.length === 2, 'the close to abort it');
    } finally {
      await s.close();
    }
  });

  it('sends stream items that are bytes as binary frames, not JSON', async () => {
    const rec = recordingEntry(core);
    const s = await startServer({ core: rec.entry, staticDir });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
      await new Promise((r) => ws.once('open', r));
      const frame = new Promise<Buffer>((r) => ws.once('message', (d, isBinary) => isBinary && r(d as Buffer)));
      ws.send(JSON.stringify({ t: 'listen', id: 7, stream: 'test:bytes' }));
      const msg = decodeFrame(new Uint8Array(await frame));
      expect(msg).toMatchObject({ t: 'data', id: 7 });
      expect([...new Uint8Array((msg as { data: ArrayBuffer }).data)]).toEqual([1, 2, 3, 250]);
      ws.close();
    } finally {
      await s.close();
    }
  });

  it('streams core events to every page that listens', async () => {
    const ws = await openSocket(`?token=${server.token}`);
    const ws2 = await openSocket(`?token=${server.token}`);
    try {
      const box = {
        boxId: 'b1',
        name: 'n',
        image: 'busybox',
        state: 'running',
        createdAt: 1,
        daemon: true,
      } satisfies Box;
      const got = [ws, ws2].map(
        (w) => new Promise((resolve) => w.once('message', (d) => resolve(JSON.parse(d.toString())))),
      );
      for (const w of [ws, ws2]) w.send(JSON.stringify({ t: 'listen', id: 9, stream: 'boxes:changed' }));
      await new Promise((r) => setTimeout(r, 50));
      core.ctx.events.emit('boxes:changed', box);
      for (const g of got) await expect(g).resolves.toEqual({ t: 'data', id: 9, data: box });
    } finally {
      ws.close();
      ws2.close();
    }
  });
});

describe('renderer client (connectBrowserApi)', () => {
  const location = () => ({ protocol: 'http:', host: `127.0.0.1:${server.port}`, search: `?token=${server.token}` });

  it('calls channels, rebuilds BoxscopeErrors, and delivers stream items until disposed', async () => {
    const api = await connectBrowserApi({ location: location(), WebSocketImpl: WebSocket as never });
    await expect(api.call('app:info')).resolves.toMatchObject({ host: 'browser' });
    const err = await api.call('traces:get', { traceId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BoxscopeError);
    expect((err as BoxscopeError).code).toBe('INVALID_INPUT');
    const spans: unknown[] = [];
    const traceId = 'a'.repeat(32);
    let arrived!: () => void;
    const first = new Promise<void>((r) => (arrived = r));
    const off = api.listen('traces:spans', { traceId }, (e) => {
      spans.push(e.traceId);
      arrived();
    });
    await new Promise((r) => setTimeout(r, 50));
    core.ctx.events.emit('spans:added', { traceId: 'b'.repeat(32), spans: [] });
    core.ctx.events.emit('spans:added', { traceId, spans: [] });
    await first;
    off();
    await new Promise((r) => setTimeout(r, 50));
    core.ctx.events.emit('spans:added', { traceId, spans: [] });
    await new Promise((r) => setTimeout(r, 50));
    expect(spans).toEqual([traceId]);
  });

  it('cancels a call through its AbortSignal', async () => {
    const rec = recordingEntry(core);
    const s = await startServer({ core: rec.entry, staticDir });
    try {
      const loc = { protocol: 'http:', host: `127.0.0.1:${s.port}`, search: `?token=${s.token}` };
      const api = await connectBrowserApi({ location: loc, WebSocketImpl: WebSocket as never });
      const ac = new AbortController();
      const p = api.call('test:slow' as never, undefined, { signal: ac.signal });
      await until(() => rec.log.length === 1, 'the call');
      ac.abort();
      await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
      await until(() => rec.aborted.length === 1, 'the core to see the cancel');
    } finally {
      await s.close();
    }
  });

  it('fails to connect with a clear message when the token is wrong', async () => {
    const p = connectBrowserApi({
      location: { ...location(), search: '?token=bad' },
      WebSocketImpl: WebSocket as never,
      maxBackoffMs: 50,
    });
    await expect(p).rejects.toThrow(/token|Cannot reach|closed/);
  });

  it('asks for its streams again after a reconnect, as the server ends the streams of a closed socket', async () => {
    const rec = recordingEntry(core);
    const token = 'd'.repeat(64);
    const first = await startServer({ core: rec.entry, staticDir, token });
    const loc = { protocol: 'http:', host: `127.0.0.1:${first.port}`, search: `?token=${token}` };
    const api = await connectBrowserApi({ location: loc, WebSocketImpl: WebSocket as never, maxBackoffMs: 100 });
    const off = api.listen('logs:follow', { boxId: 'bx-2' }, () => undefined);
    await until(() => rec.log.includes('listen logs:follow bx-2'), 'the follow');
    await first.close();
    await until(() => rec.aborted.includes('listen logs:follow bx-2'), 'the closed socket to end it');
    const second = await startServer({ core: rec.entry, staticDir, token, port: first.port });
    try {
      await until(() => rec.log.filter((c) => c === 'listen logs:follow bx-2').length === 2, 'the follow again');
      off();
      await until(() => rec.aborted.filter((c) => c === 'listen logs:follow bx-2').length === 2, 'the dispose');
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
    await expect(api.call('app:info')).resolves.toMatchObject({ host: 'browser' });
    expect(reconnects).toBe(0);
    await first.close();
    // Let the client see the close (a call racing it is rejected as lost, by design).
    await new Promise((r) => setTimeout(r, 50));
    const pending = api.call('app:info');
    const second = await startServer({ core, staticDir, token, port: first.port });
    try {
      await expect(pending).resolves.toMatchObject({ host: 'browser' });
      expect(reconnects).toBe(1);
    } finally {
      await second.close();
    }
  });
});
