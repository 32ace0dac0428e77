/** The trace store on a real SQLite file: restarts, retention, idempotence, secrets, cross-process pickup. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/models.js';
import { openTraceStore } from '../../electron/core/store/trace-store.js';
import { hexId, tempHome } from './helpers.js';

let env: ReturnType<typeof tempHome>;
beforeEach(() => {
  env = tempHome();
});
afterEach(() => env.cleanup());

function span(traceId: string, name: string, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId,
    spanId: hexId(8),
    name,
    kind: 1,
    serviceName: 'svc',
    startTimeUnixNano: '1795000000000000000',
    endTimeUnixNano: '1795000000500000000',
    attributes: {},
    events: [],
    links: [],
    status: { code: 0 },
    resource: { 'service.name': 'svc' },
    ...extra,
  };
}

describe('trace store', () => {
  it('keeps traces across a close and reopen, with summaries by box', () => {
    const t = hexId(16);
    const root = span(t, 'box.create', { serviceName: 'boxscope-ui', attributes: { 'boxlite.box.id': 'b-1' } });
    const child = span(t, 'image.pull', {
      parentSpanId: root.spanId,
      serviceName: 'boxscope-runner',
      startTimeUnixNano: '1795000000100000000',
      status: { code: 2, message: 'denied' },
    });
    const s1 = openTraceStore(env.paths.db);
    s1.addSpans([child, root]);
    s1.close();

    const s2 = openTraceStore(env.paths.db);
    try {
      expect(s2.getTrace(t).map((s) => s.name)).toEqual(['box.create', 'image.pull']);
      const [sum] = s2.listTraces({ boxId: 'b-1' });
      expect(sum).toMatchObject({ traceId: t, rootName: 'box.create', boxId: 'b-1', spanCount: 2, errorCount: 1 });
      expect(sum!.services.sort()).toEqual(['boxscope-runner', 'boxscope-ui']);
      expect(sum!.durationMs).toBe(500);
      expect(s2.listTraces({ boxId: 'other' })).toEqual([]);
    } finally {
      s2.close();
    }
  });

  it('ignores a span it already has (exporter retries)', () => {
    const s = openTraceStore(env.paths.db);
    try {
      const t = hexId(16);
      const a = span(t, 'a');
      s.addSpans([a]);
      s.addSpans([a, a]);
      expect(s.lastInserted).toBe(0);
      expect(s.getTrace(t)).toHaveLength(1);
      expect(s.listTraces()[0]!.spanCount).toBe(1);
    } finally {
      s.close();
    }
  });

  it('drops the oldest traces beyond the cap', () => {
    const s = openTraceStore(env.paths.db, { maxTraces: 3, activeMs: 0 });
    try {
      const ids = Array.from({ length: 5 }, () => hexId(16));
      for (const id of ids) s.addSpans([span(id, 'root')]);
      expect(s.getTrace(ids[0]!)).toEqual([]);
      expect(s.getTrace(ids[1]!)).toEqual([]);
      for (const id of ids.slice(2)) expect(s.getTrace(id)).toHaveLength(1);
      expect(
        s
          .listTraces()
          .map((x) => x.traceId)
          .sort(),
      ).toEqual(ids.slice(2).sort());
    } finally {
      s.close();
    }
  });

  it('drops the oldest traces beyond the byte cap', () => {
    const s = openTraceStore(env.paths.db, { maxBytes: 4000, activeMs: 0 });
    try {
      const fat = 'x'.repeat(1500);
      const ids = Array.from({ length: 4 }, () => hexId(16));
      for (const id of ids) s.addSpans([span(id, 'root', { attributes: { note: fat } })]);
      expect(s.listTraces().length).toBe(2);
      expect(s.getTrace(ids[3]!)).toHaveLength(1);
      expect(s.getTrace(ids[0]!)).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('filters credentials out of link attributes too', () => {
    const s = openTraceStore(env.paths.db);
    const secret = 'link-secret-3c9d1e';
    const t = hexId(16);
    s.addSpans([
      span(t, 'call', {
        links: [
          {
            traceId: hexId(16),
            spanId: hexId(8),
            attributes: { 'http.request.header.authorization': `Bearer ${secret}`, 'link.kind': 'retry' },
          },
        ],
      }),
    ]);
    expect(s.getTrace(t)[0]!.links[0]!.attributes).toEqual({ 'link.kind': 'retry' });
    s.close();
    for (const f of fs.readdirSync(env.home).filter((n) => n.startsWith('boxscope.db')))
      expect(fs.readFileSync(path.join(env.home, f)).toString('latin1')).not.toContain(secret);
  });

  it('never writes a box token or a credential attribute to disk', () => {
    const s = openTraceStore(env.paths.db);
    const token = 'box-token-5f3e9a1c7d';
    const secret = 'hunter2-registry-secret';
    s.registerBoxToken('b-9', token);
    expect(s.boxForToken(token)).toBe('b-9');
    expect(s.boxForToken('other')).toBeUndefined();
    s.addSpans([
      span(hexId(16), 'registry.auth', {
        attributes: { 'registry.password': secret, GHCR_TOKEN: secret, 'boxscope.credential.source': 'env' },
        events: [{ timeUnixNano: '1', name: 'e', attributes: { authorization: `Basic ${secret}` } }],
      }),
    ]);
    s.close();
    for (const f of fs.readdirSync(env.home).filter((n) => n.startsWith('boxscope.db'))) {
      const bytes = fs.readFileSync(path.join(env.home, f)).toString('latin1');
      expect(bytes).not.toContain(token);
      expect(bytes).not.toContain(secret);
    }
    const again = openTraceStore(env.paths.db);
    try {
      const [sum] = again.listTraces();
      const [stored] = again.getTrace(sum!.traceId);
      expect(stored!.attributes).toEqual({ 'boxscope.credential.source': 'env' });
      expect(again.boxForToken(token)).toBe('b-9');
    } finally {
      again.close();
    }
  });

  it('pushes spans written by another store instance on the same file within a second', async () => {
    const reader = openTraceStore(env.paths.db);
    const writer = openTraceStore(env.paths.db);
    try {
      const got: { traceId: string; names: string[]; at: number }[] = [];
      const unsub = reader.subscribe((traceId, spans) =>
        got.push({ traceId, names: spans.map((s) => s.name), at: Date.now() }),
      );
      const t = hexId(16);
      const t0 = Date.now();
      writer.addSpans([span(t, 'from-elsewhere')]);
      await expect.poll(() => got.length, { timeout: 1000, interval: 50 }).toBe(1);
      expect(got[0]).toMatchObject({ traceId: t, names: ['from-elsewhere'] });
      expect(got[0]!.at - t0).toBeLessThan(1000);
      // Own writes are delivered at once and not again by the poller.
      reader.addSpans([span(t, 'local')]);
      expect(got.map((g) => g.names[0])).toEqual(['from-elsewhere', 'local']);
      await new Promise((r) => setTimeout(r, 400));
      expect(got).toHaveLength(2);
      unsub();
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('pushes spans written by another process (boxscope import)', async () => {
    const reader = openTraceStore(env.paths.db);
    try {
      const got: string[] = [];
      reader.subscribe((traceId) => got.push(traceId));
      const file = path.join(env.home, 'in.json');
      const make = spawn(process.execPath, [
        path.resolve('bench/fixtures/make-trace.mjs'),
        '--spans',
        '40',
        '--out',
        file,
      ]);
      const traceId = await new Promise<string>((resolve) => {
        let out = '';
        make.stdout.on('data', (d) => (out += d));
        make.on('close', () => resolve(out.trim()));
      });
      const imp = spawn(process.execPath, [path.resolve('bin/boxscope.mjs'), 'import', file], {
        env: { ...process.env, BOXSCOPE_HOME: env.home },
      });
      const code = await new Promise((r) => imp.on('close', r));
      expect(code).toBe(0);
      await expect.poll(() => got.includes(traceId), { timeout: 1000, interval: 50 }).toBe(true);
    } finally {
      reader.close();
    }
  });
});

describe('trace store files', () => {
  let env: ReturnType<typeof tempHome>;
  beforeEach(() => (env = tempHome()));
  afterEach(() => env.cleanup());

  it('are readable by this user only: the database and its WAL and SHM, new or left 0644 by an older version', () => {
    // Another user of the machine must not read every box's spans.
    fs.writeFileSync(env.paths.db, '', { mode: 0o644 });
    fs.chmodSync(env.paths.db, 0o644);
    const s = openTraceStore(env.paths.db);
    try {
      s.addSpans([span(hexId(16), 'box.create')]);
      for (const f of [env.paths.db, `${env.paths.db}-wal`, `${env.paths.db}-shm`])
        expect((fs.statSync(f).mode & 0o777).toString(8), f).toBe('600');
    } finally {
      s.close();
    }
  });
});

describe('trace store limits', () => {
  it('stores a 20k-span batch in bounded transactions with one summary', () => {
    const env2 = tempHome();
    const s = openTraceStore(env2.paths.db);
    try {
      const t = hexId(16);
      const root = span(t, 'box.create');
      const kids = Array.from({ length: 20_000 }, (_, i) =>
        span(t, 'layer.pull', { parentSpanId: root.spanId, status: { code: i % 5000 === 0 ? 2 : 0 } }),
      );
      const events: number[] = [];
      s.subscribe((_id, spans) => events.push(spans.length));
      s.addSpans([...kids, root]);
      expect(s.lastInserted).toBe(20_001);
      expect(events).toEqual([20_001]);
      expect(s.listTraces()[0]).toMatchObject({ traceId: t, rootName: 'box.create', spanCount: 20_001, errorCount: 4 });
    } finally {
      s.close();
      env2.cleanup();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(env.paths.db);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openTraceStore(env.paths.db)).toThrow(/newer Boxscope/);
  });
});
