/**
 * Streamed trace import, against baselines from the same run:
 *   - JSON.parse of the whole file (what the old import did first), and the
 *     streamed parser alone (bytes → decoded SpanRecords, no store);
 *   - through a real browser-mode server (POST /api/traces/import) and
 *     traces:importFile: ms to the first progress item and to done, peak RSS.
 * Run: node --import tsx bench/trace-import.bench.ts [--spans N | --file PATH] [--skip-whole|parser|file]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseTraceStream } from '../electron/core/otlp/trace-stream.js';
import { createCore } from '../electron/core/service.js';
import { startServer } from '../electron/server/server.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-import-bench-'));
let file = arg('--file');
if (!file) {
  file = path.join(dir, 'trace.json');
  execFileSync(process.execPath, [
    'bench/fixtures/make-trace.mjs',
    '--spans',
    arg('--spans') ?? '100000',
    '--out',
    file,
  ]);
}
const size = fs.statSync(file).size;
const mb = size / 1e6;
const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(0)} MB/s`;
console.log(`file: ${mb.toFixed(1)} MB`);

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
const rss = () => `${(Math.max(peak, process.memoryUsage().rss) / 1e6).toFixed(0)} MB`;

if (!process.argv.includes('--skip-whole')) {
  const t = performance.now();
  JSON.parse(fs.readFileSync(file, 'utf8'));
  const ms = performance.now() - t;
  console.log(`JSON.parse of the whole file (read + parse): ${ms.toFixed(0)} ms = ${rate(ms)}`);
}
global.gc?.();
peak = 0;
if (!process.argv.includes('--skip-parser')) {
  const t = performance.now();
  let n = 0;
  for await (const b of parseTraceStream(fs.createReadStream(file, { highWaterMark: 1 << 20 }))) n += b.spans.length;
  const ms = performance.now() - t;
  console.log(`streamed parser, decoded, no store: ${n} spans ${ms.toFixed(0)} ms = ${rate(ms)}, peak RSS ${rss()}`);
}

const home = path.join(dir, 'home');
const core = await createCore({ host: 'browser', home, env: { ...process.env, BOXSCOPE_HOME: home } });
const server = await startServer({ core, staticDir: path.join(dir, 'dist') });
global.gc?.();
peak = 0;
{
  const t = performance.now();
  let first = 0;
  let lines = 0;
  let last = '';
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: `/api/traces/import?token=${server.token}&name=bench.json`,
        headers: { 'Content-Length': String(size) },
      },
      (res) => {
        res.on('data', (c: Buffer) => {
          first ||= performance.now() - t;
          const text = c.toString();
          lines += text.split('\n').length - 1;
          last = text.trim().split('\n').pop() ?? last;
        });
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
  const ms = performance.now() - t;
  console.log(
    `upload through the server: first progress ${first.toFixed(0)} ms, done ${ms.toFixed(0)} ms = ${rate(ms)}, ${lines} lines, peak RSS ${rss()}`,
  );
  console.log(`  last line: ${last.slice(0, 200)}`);
}
fs.rmSync(home, { recursive: true, force: true });
const home2 = path.join(dir, 'home2');
const core2 = await createCore({ host: 'browser', home: home2, env: { ...process.env, BOXSCOPE_HOME: home2 } });
global.gc?.();
peak = 0;
if (!process.argv.includes('--skip-file')) {
  const t = performance.now();
  let first = 0;
  await new Promise<void>((resolve, reject) =>
    core2.api.listen(
      'traces:importFile',
      { path: file! },
      {
        data: () => (first ||= performance.now() - t),
        end: (err) => (err ? reject(new Error(err.message)) : resolve()),
      },
    ),
  );
  const ms = performance.now() - t;
  console.log(
    `traces:importFile: first progress ${first.toFixed(0)} ms, done ${ms.toFixed(0)} ms = ${rate(ms)}, peak RSS ${rss()}`,
  );
}
if (!process.argv.includes('--skip-parts')) {
  // The page's own client (renderer/src/api/import-file.ts): the file in slices of a disk-backed Blob.
  const home3 = path.join(dir, 'home3');
  const core3 = await createCore({ host: 'browser', home: home3, env: { ...process.env, BOXSCOPE_HOME: home3 } });
  const server3 = await startServer({ core: core3, staticDir: path.join(dir, 'dist') });
  const { importTraceFile } = await import('../renderer/src/api/import-file.js');
  const g = globalThis as { window?: unknown };
  g.window = { location: { protocol: 'http:', host: `127.0.0.1:${server3.port}`, search: `?token=${server3.token}` } };
  const f = new File([await fs.openAsBlob(file)], 'bench.json');
  global.gc?.();
  peak = 0;
  const t = performance.now();
  let first = 0;
  const last = await importTraceFile(f, () => (first ||= performance.now() - t));
  const ms = performance.now() - t;
  console.log(
    `page client, file in parts: first progress ${first.toFixed(0)} ms, done ${ms.toFixed(0)} ms = ${rate(ms)}, ${last.spans} spans, peak RSS ${rss()}`,
  );
  delete g.window;
  await server3.close();
  await core3.close();
}
clearInterval(sampler);
await server.close();
await core.close();
await core2.close();
fs.rmSync(dir, { recursive: true, force: true });
