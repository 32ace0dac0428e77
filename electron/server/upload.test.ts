/** Browser mode's trace upload against a real core and server: the guard, the caps, NDJSON progress, the store. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../shared/models.js';
import type { ErrorInfo } from '../../shared/errors.js';
import { createCore, type Core } from '../core/service.js';
import { startServer, type BrowserServer } from './server.js';
import { importTraceFile } from '../../renderer/src/api/import-file.js';

const CAP = 30_000_000;
let home: string;
let core: Core;
let server: BrowserServer;
let file: string;
let traceId: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-upload-'));
  const data = path.join(home, 'data');
  core = await createCore({
    host: 'browser',
    home: data,
    env: {
      ...process.env,
      BOXSCOPE_HOME: data,
      DOCKER_HOST: `unix://${home}/no-engine.sock`,
      BOXSCOPE_IMPORT_MAX_BYTES: String(CAP),
    },
  });
  server = await startServer({ core, staticDir: path.join(home, 'dist') });
  file = path.join(home, 'trace.json');
  traceId = execFileSync(process.execPath, [
    'bench/fixtures/make-trace.mjs',
    '--spans',
    '20000',
    '--seed',
    '3',
    '--out',
    file,
  ])
    .toString()
    .trim();
});

afterAll(async () => {
  await server?.close();
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

interface Answer {
  status: number;
  type?: string;
  lines: Array<ImportProgress | { error: ErrorInfo }>;
  /** ms from the request's start to the first line and to the end. */
  firstMs: number;
  endMs: number;
}

/** POSTs `body` (a file path streamed from disk, or bytes) and collects the NDJSON lines as they arrive. */
function upload(
  body: string | Buffer | null,
  opts: { query?: string; headers?: Record<string, string>; chunked?: boolean; method?: string } = {},
): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const size = typeof body === 'string' ? fs.statSync(body).size : (body?.length ?? 0);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: opts.method ?? 'POST',
        path: `/api/traces/import${opts.query ?? `?token=${server.token}&name=trace.json`}`,
        headers: { ...(opts.chunked ? {} : { 'Content-Length': String(size) }), ...opts.headers },
      },
      (res) => {
        let rest = '';
        const lines: Answer['lines'] = [];
        let firstMs = 0;
        res.on('data', (c: Buffer) => {
          firstMs ||= performance.now() - t0;
          rest += c.toString();
          const parts = rest.split('\n');
          rest = parts.pop()!;
          for (const l of parts) if (l) lines.push(JSON.parse(l));
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            lines,
            firstMs,
            endMs: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    if (typeof body === 'string') fs.createReadStream(body).pipe(req);
    else if (opts.chunked) {
      req.write(body);
      req.end();
    } else req.end(body ?? undefined);
  });
}

describe('POST /api/traces/import', () => {
  it('needs the token (401) and this server as the origin (403)', async () => {
    expect((await upload(Buffer.from('{}'), { query: '?name=x.json' })).status).toBe(401);
    expect((await upload(Buffer.from('{}'), { query: '?token=nope' })).status).toBe(401);
    const foreign = await upload(Buffer.from('{}'), { headers: { Origin: 'http://127.0.0.1:1' } });
    expect(foreign.status).toBe(403);
    expect((await upload(Buffer.from('{}'), { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect((await upload(Buffer.from('{}'), { headers: { Host: 'evil.example' } })).status).toBe(403);
    const get = await upload(null, { method: 'GET' });
    expect(get.status).toBe(405);
  });

  it('streams a 20k-span file into the store, with progress lines as it goes', async () => {
    const size = fs.statSync(file).size;
    const a = await upload(file, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    expect(a.status).toBe(200);
    expect(a.type).toBe('application/x-ndjson');
    const lines = a.lines as ImportProgress[];
    expect(lines[0]).toMatchObject({ traceIds: [traceId], done: false, totalBytes: size });
    expect(lines[0]!.spans).toBeGreaterThan(0);
    expect(lines[0]!.spans).toBeLessThan(20_000);
    expect(lines.at(-1)).toEqual({ traceIds: [traceId], spans: 20_000, bytes: size, totalBytes: size, done: true });
    expect(lines.filter((l) => l.done)).toHaveLength(1);
    expect(core.ctx.store.getTrace(traceId)).toHaveLength(20_000);
    console.log(
      `20k spans (${(size / 1e6).toFixed(1)} MB): first line ${a.firstMs.toFixed(0)} ms, done ${a.endMs.toFixed(0)} ms`,
    );
  });

  it("takes the file in parts, as the page sends it, with the trace named in the first part's answer", async () => {
    const buf = fs.readFileSync(file).toString().replaceAll(traceId, 'd'.repeat(32));
    const bytes = Buffer.from(buf);
    const id = 'part-test-0001';
    const q = (part: number, last: boolean) =>
      `?token=${server.token}&name=trace.json&upload=${id}&part=${part}&last=${last ? 1 : 0}&size=${bytes.length}`;
    const cuts = [0, 2_500_000, 7_000_000, 12_000_000, bytes.length];
    const answers: Answer[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      answers.push(await upload(bytes.subarray(cuts[k], cuts[k + 1]), { query: q(k, k + 2 === cuts.length) }));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const first = answers[0]!.lines[0] as ImportProgress;
    expect(first).toMatchObject({ traceIds: ['d'.repeat(32)], done: false, totalBytes: bytes.length });
    const all = answers.flatMap((a) => a.lines) as ImportProgress[];
    expect(all.at(-1)).toMatchObject({ spans: 20_000, bytes: bytes.length, done: true });
    expect(all.filter((l) => 'error' in l)).toEqual([]);
    expect(core.ctx.store.getTrace('d'.repeat(32))).toHaveLength(20_000);
    // A part of no upload, or out of order.
    expect((await upload(Buffer.from('x'), { query: q(1, false) })).status).toBe(409);
    expect(
      (await upload(Buffer.from('{"resourceSpans":[]}'), { query: q(0, true).replace(id, 'other-0001') })).lines,
    ).toEqual([{ error: { code: 'BAD_TRACE_FILE', message: 'trace.json: the file holds no spans' } }]);
  });

  it("a bad part ends the upload with an error line in that part's answer", async () => {
    const id = 'part-test-0002';
    const q = (part: number, last: boolean) =>
      `?token=${server.token}&name=p.json&upload=${id}&part=${part}&last=${last ? 1 : 0}`;
    const a = await upload(Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":['), { query: q(0, false) });
    expect(a.lines).toEqual([]);
    const b = await upload(Buffer.from(']]]'), { query: q(1, false) });
    expect(b.lines).toEqual([
      { error: { code: 'BAD_TRACE_FILE', message: "p.json: not valid JSON: unexpected ']' at byte 44" } },
    ]);
    expect((await upload(Buffer.from('x'), { query: q(2, true) })).status).toBe(409);
  });

  it("the page's own client uploads a file in parts and gets the trace id in the first part's answer", async () => {
    const text = fs.readFileSync(file, 'utf8').replaceAll(traceId, '9'.repeat(32));
    const f = new File([text], 'client.json');
    const g = globalThis as { window?: unknown };
    g.window = { location: { protocol: 'http:', host: `127.0.0.1:${server.port}`, search: `?token=${server.token}` } };
    try {
      const seen: ImportProgress[] = [];
      const t0 = performance.now();
      let firstMs = 0;
      const last = await importTraceFile(f, (p) => {
        firstMs ||= performance.now() - t0;
        seen.push(p);
      });
      expect(seen[0]!.traceIds).toEqual(['9'.repeat(32)]);
      // The first part is 4 MiB: its answer came before the rest of the file was sent.
      expect(seen[0]!.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect(last).toMatchObject({ spans: 20_000, bytes: f.size, totalBytes: f.size, done: true });
      expect(core.ctx.store.getTrace('9'.repeat(32))).toHaveLength(20_000);
      console.log(
        `client in parts: first progress ${firstMs.toFixed(0)} ms, done ${(performance.now() - t0).toFixed(0)} ms`,
      );
      const bad = new File(['{"resourceSpans":[]}'], 'empty.json');
      await expect(importTraceFile(bad, () => {})).rejects.toMatchObject({
        code: 'BAD_TRACE_FILE',
        message: 'empty.json: the file holds no spans',
      });
    } finally {
      delete g.window;
    }
  });

  it('refuses a body over the cap: 413 from its length, an error line while streaming', async () => {
    const early = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: `/api/traces/import?token=${server.token}`,
          headers: { 'Content-Length': String(CAP + 1) },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"resourceSpans":[');
    });
    expect(early.status).toBe(413);
    expect(JSON.parse(early.body).error).toMatchObject({
      code: 'BAD_TRACE_FILE',
      message: expect.stringMatching(/larger than/),
    });

    const padded = Buffer.concat([fs.readFileSync(file), Buffer.alloc(CAP, 0x20)]);
    const late = await upload(padded, { chunked: true });
    expect(late.status).toBe(200);
    const last = late.lines.at(-1) as { error: ErrorInfo };
    expect(last.error).toMatchObject({ code: 'BAD_TRACE_FILE' });
    expect(last.error.message).toMatch(/^trace\.json: larger than the 28\.6 MiB a trace file may have/);
  });

  it('ends with an error line for a bad file, keeping what was stored before it', async () => {
    const good = fs.readFileSync(file, 'utf8');
    const cut = good.indexOf('},{"traceId"', Math.floor(good.length / 2)) + 1;
    const broken = good.slice(0, cut) + ' x' + good.slice(cut);
    const a = await upload(Buffer.from(broken), { query: `?token=${server.token}&name=half.json` });
    const last = a.lines.at(-1) as { error: ErrorInfo };
    expect(last.error.code).toBe('BAD_TRACE_FILE');
    expect(last.error.message).toMatch(`half.json: not valid JSON: unexpected 'x' at byte ${cut + 1}; the `);
    expect(a.lines.length).toBeGreaterThan(1);
  });

  it('stops reading when the page goes away', async () => {
    const other = fs.readFileSync(file, 'utf8').replaceAll(traceId, 'f'.repeat(32));
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `/api/traces/import?token=${server.token}`,
    });
    req.on('error', () => {});
    req.write(other.slice(0, 2_000_000));
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const stored = core.ctx.store.getTrace('f'.repeat(32)).length;
    expect(stored).toBeLessThan(20_000);
    // The server still serves.
    expect((await upload(Buffer.from('{"resourceSpans":[]}'))).lines.at(-1)).toMatchObject({
      error: { message: 'trace.json: the file holds no spans' },
    });
  });
});

describe('traces:import (the whole text in one message)', () => {
  it('still imports through the same parser, and points bigger files to the streamed upload', async () => {
    const small = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'c'.repeat(32),
                  spanId: '1'.repeat(16),
                  name: 'x',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                },
              ],
            },
          ],
        },
      ],
    });
    await expect(core.api.call('traces:import', { fileName: 's.json', content: small })).resolves.toEqual({
      traceIds: ['c'.repeat(32)],
    });
    await expect(
      core.api.call('traces:import', { fileName: 'b.json', content: ' '.repeat(64 * 1024 * 1024 + 1) }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/at most 64 MiB.*streams it/) });
  });
});
