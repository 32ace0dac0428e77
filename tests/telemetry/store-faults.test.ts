/**
 * A bad data dir ends in one line naming the file: a damaged trace database
 * is moved aside and a new one works at once; one that cannot be opened is
 * STORE_UNAVAILABLE saying what to check — through the real CLI too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeError } from '../../electron/core/telemetry/store-open.js';
import { buildCli, run, runCli, tempHome as cliHome } from '../fixtures/index.js';
import { hexId, jsonSpan, startTelemetry, tempHome } from './helpers.js';

beforeAll(async () => {
  await buildCli();
}, 120_000);

describe('the trace store on a bad data dir', () => {
  const homes: Array<{ cleanup(): void }> = [];
  afterAll(() => homes.forEach((h) => h.cleanup()));

  it('a damaged database is moved aside, said once, and a new one takes spans', async () => {
    const env = tempHome();
    homes.push(env);
    fs.writeFileSync(env.paths.db, 'this is not a database, it is a '.repeat(200));
    fs.writeFileSync(`${env.paths.db}-wal`, 'junk');
    const tel = await startTelemetry(env.paths);
    try {
      const aside = fs.readdirSync(path.dirname(env.paths.db)).filter((f) => f.includes('.damaged-'));
      expect(aside).toHaveLength(1);
      expect(fs.readFileSync(path.join(path.dirname(env.paths.db), aside[0]!), 'utf8')).toContain('not a database');
      const traceId = hexId(16);
      tel.store.addSpans([
        {
          ...(jsonSpan(traceId, 'after.recovery') as { spanId: string }),
          traceId,
          name: 'after.recovery',
          kind: 1,
          serviceName: 's',
          startTimeUnixNano: '1',
          endTimeUnixNano: '2',
          attributes: {},
          events: [],
          links: [],
          status: { code: 0 },
          resource: {},
        },
      ]);
      expect(tel.store.getTrace(traceId).map((s) => s.name)).toEqual(['after.recovery']);
    } finally {
      await tel.close();
    }
  });

  it('through the CLI: one line naming the file, and the command still answers', async () => {
    const h = cliHome();
    homes.push(h);
    const db = path.join(h.home, 'boxscope.db');
    const r0 = await runCli(['boxes', '--json'], { env: h.env });
    expect(r0.code).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
    fs.writeFileSync(db, Buffer.alloc(8192, 0x5a));
    fs.rmSync(`${db}-wal`, { force: true });
    fs.rmSync(`${db}-shm`, { force: true });
    const r = await runCli(['boxes', '--json'], { env: h.env });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`The trace store ${db} was damaged`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+|SqliteError/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  }, 60_000);

  it('a database that cannot be opened: STORE_UNAVAILABLE naming the file and what to check', async () => {
    const h = cliHome();
    homes.push(h);
    const db = path.join(h.home, 'boxscope.db');
    fs.mkdirSync(db, { recursive: true });
    const said = `The trace store ${db} cannot be opened for writing`;
    // What needs traces fails in one line that says what to do.
    const t = await runCli(['trace', '0af7651916cd43dd8448eb211c80319c', '--json'], { env: h.env });
    expect(t.code).not.toBe(0);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toContain(said);
    expect(t.stderr).toContain('BOXSCOPE_HOME');
    // What needs none goes on, saying once that traces are not available.
    for (const args of [
      ['boxes', '--json'],
      ['registries', '--json'],
    ]) {
      const r = await runCli(args, { env: h.env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(said);
      expect(r.stderr).toContain('traces are not available');
      expect(JSON.parse(r.stdout)).toEqual(expect.any(Array));
    }
  }, 60_000);

  it('a full disk and a read-only mount say so', () => {
    const full = storeError(
      '/d/traces.db',
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
    );
    expect(full.code).toBe('STORE_UNAVAILABLE');
    expect(full.message).toContain('The disk holding the trace store /d/traces.db is full');
    const ro = storeError(
      '/d/traces.db',
      Object.assign(new Error('attempt to write'), { code: 'SQLITE_READONLY_DBMOVED' }),
    );
    expect(ro.message).toContain('cannot be opened for writing (SQLITE_READONLY_DBMOVED)');
  });
});

describe('a data dir on a disk that is really full (a tmpfs filled to ENOSPC; root only)', () => {
  const homes: Array<{ cleanup(): void }> = [];
  afterAll(() => homes.forEach((h) => h.cleanup()));
  it.skipIf(process.getuid?.() !== 0)(
    'trace commands say the disk is full and what to do (not a bare disk I/O error); boxes and registries still work',
    async () => {
      const h = cliHome();
      homes.push(h);
      fs.mkdirSync(h.home, { recursive: true });
      expect((await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', h.home])).code).toBe(0);
      try {
        const db = path.join(h.home, 'boxscope.db');
        expect((await runCli(['boxes', '--json'], { env: h.env })).code).toBe(0);
        const fd = fs.openSync(path.join(h.home, 'filler'), 'w');
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024));
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          fs.closeSync(fd);
        }
        // SQLite reports this as SQLITE_IOERR_SHMSIZE (the WAL index cannot grow), never SQLITE_FULL.
        const file = path.join(h.dir, 'trace.json');
        fs.writeFileSync(
          file,
          JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [jsonSpan(hexId(16), 'x')] }] }] }),
        );
        const r = await runCli(['import', file], { env: h.env });
        expect(r.code).not.toBe(0);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`The disk holding the trace store ${db} is full: free some space`);
        // What needs no trace keeps working on the full disk: the box list and the registries.
        for (const args of [['boxes', '--json'], ['registries']]) {
          const ok = await runCli(args, { env: h.env });
          expect(ok.stderr).toBe('');
          expect(ok.code).toBe(0);
        }
      } finally {
        await run('umount', ['-l', h.home]);
      }
    },
    60_000,
  );
});
