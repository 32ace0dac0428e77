/** `boxscope trace` and `boxscope import` through bin/boxscope.mjs, on a throwaway BOXSCOPE_HOME. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/models.js';
import { tempHome } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'boxscope.mjs');
const makeTrace = path.join(root, 'bench', 'fixtures', 'make-trace.mjs');

let a: ReturnType<typeof tempHome>;
let b: ReturnType<typeof tempHome>;

function run(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, BOXSCOPE_HOME: home, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const bySpanId = (x: SpanRecord, y: SpanRecord) => x.spanId.localeCompare(y.spanId);

beforeAll(async () => {
  // The bin runs the bundle: rebuild it so the test exercises this tree's code.
  const { buildCli } = await import(path.join(root, 'scripts', 'build-cli.mjs'));
  await buildCli();
  a = tempHome();
  b = tempHome();
}, 120_000);
afterAll(() => {
  a?.cleanup();
  b?.cleanup();
});

describe('boxscope import / trace', () => {
  let traceId: string;
  let file: string;

  it('imports a generated box-create trace and prints its id', () => {
    file = path.join(a.home, 'trace.json');
    const gen = spawnSync(process.execPath, [makeTrace, '--spans', '300', '--out', file, '--errors', '3'], {
      encoding: 'utf8',
    });
    expect(gen.status).toBe(0);
    traceId = gen.stdout.trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const r = run(a.home, 'import', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${traceId}\n`);
  });

  it('prints an indented tree with services and durations', () => {
    const r = run(a.home, 'trace', traceId);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^trace ${traceId}  300 spans  .*services: boxscope-ui, boxscope-runner, boxlite-daemon  errors: 3$`),
    );
    expect(lines[1]).toMatch(/^box\.create {2}\[boxscope-ui\] {2}[\d.]+ (s|ms)/);
    const start = lines.findIndex((l) => l.startsWith('  container.start  [boxscope-runner]'));
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toMatch(/^ {4}sandbox\.boot {2}\[boxlite-daemon\]/);
    expect(lines.filter((l) => l.startsWith('    layer.pull  ')).length).toBeGreaterThan(100);
    expect(r.out).toMatch(/ERROR: /);
  });

  it('--json prints the SpanRecords', () => {
    const r = run(a.home, 'trace', traceId, '--json');
    expect(r.code).toBe(0);
    const spans = JSON.parse(r.out) as SpanRecord[];
    expect(spans).toHaveLength(300);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const boot = spans.find((s) => s.name === 'sandbox.boot')!;
    const start = spans.find((s) => s.name === 'container.start')!;
    expect(boot.parentSpanId).toBe(start.spanId);
  });

  it('--otlp prints an ExportTraceServiceRequest that imports back to the same spans', () => {
    const r = run(a.home, 'trace', traceId, '--otlp');
    expect(r.code).toBe(0);
    const req = JSON.parse(r.out);
    expect(req.resourceSpans.length).toBe(3);
    const first = req.resourceSpans[0].scopeSpans[0].spans[0];
    expect(first.traceId).toBe(traceId);
    expect(typeof first.startTimeUnixNano).toBe('string');
    const exported = path.join(b.home, 'exported.json');
    fs.writeFileSync(exported, r.out);
    const imp = run(b.home, 'import', exported);
    expect(imp.code).toBe(0);
    expect(imp.out.trim()).toBe(traceId);
    const original = (JSON.parse(run(a.home, 'trace', traceId, '--json').out) as SpanRecord[]).sort(bySpanId);
    const roundTrip = (JSON.parse(run(b.home, 'trace', traceId, '--json').out) as SpanRecord[]).sort(bySpanId);
    expect(roundTrip).toEqual(original);
  });

  it('imports Jaeger JSON', () => {
    const jaeger = {
      data: [
        {
          traceID: 'a1b2c3d4e5f60718',
          spans: [
            {
              traceID: 'a1b2c3d4e5f60718',
              spanID: '00000000000000a1',
              operationName: 'box.create',
              references: [],
              startTime: 1795000000000000,
              duration: 2500,
              tags: [{ key: 'span.kind', type: 'string', value: 'server' }],
              logs: [],
              processID: 'p1',
            },
            {
              traceID: 'a1b2c3d4e5f60718',
              spanID: '00000000000000b2',
              operationName: 'image.pull',
              references: [{ refType: 'CHILD_OF', traceID: 'a1b2c3d4e5f60718', spanID: '00000000000000a1' }],
              startTime: 1795000000000500,
              duration: 1000,
              tags: [
                { key: 'error', type: 'bool', value: true },
                { key: 'boxscope.pull.bytes', type: 'int64', value: 1024 },
                { key: 'db.password', type: 'string', value: 'jaeger-secret-xyz' },
              ],
              logs: [{ timestamp: 1795000000000700, fields: [{ key: 'event', type: 'string', value: 'layer done' }] }],
              processID: 'p2',
            },
          ],
          processes: {
            p1: { serviceName: 'boxscope-ui', tags: [] },
            p2: { serviceName: 'boxscope-runner', tags: [{ key: 'host.name', type: 'string', value: 'dev' }] },
          },
        },
      ],
    };
    const file = path.join(a.home, 'jaeger.json');
    fs.writeFileSync(file, JSON.stringify(jaeger));
    const r = run(a.home, 'import', file);
    expect(r.code).toBe(0);
    const id = '0000000000000000a1b2c3d4e5f60718';
    expect(r.out).toBe(`${id}\n`);
    const spans = JSON.parse(run(a.home, 'trace', id, '--json').out) as SpanRecord[];
    const pull = spans.find((s) => s.name === 'image.pull')!;
    expect(pull).toMatchObject({
      parentSpanId: '00000000000000a1',
      serviceName: 'boxscope-runner',
      startTimeUnixNano: '1795000000000500000',
      endTimeUnixNano: '1795000000001500000',
      status: { code: 2 },
      attributes: { error: true, 'boxscope.pull.bytes': 1024 },
    });
    expect(pull.events[0]).toMatchObject({ name: 'layer done', timeUnixNano: '1795000000000700000' });
    expect(spans.find((s) => s.name === 'box.create')!.kind).toBe(2);
    expect(JSON.stringify(spans)).not.toContain('jaeger-secret-xyz');
  });

  it('reports a bad file in one line and stores nothing', () => {
    const file = path.join(a.home, 'bad.json');
    fs.writeFileSync(file, '{"hello": "world"}');
    const r = run(a.home, 'import', file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('boxscope: bad.json: neither OTLP JSON (resourceSpans) nor Jaeger JSON (data[].spans)\n');
    fs.writeFileSync(file, '{not json');
    expect(run(a.home, 'import', file).err).toMatch(/^boxscope: bad\.json: not valid JSON.*\n$/);
    expect(run(a.home, 'import', path.join(a.home, 'missing.json')).err).toMatch(/no such file/);
  });

  it('reports an unknown or malformed trace id in one line', () => {
    const missing = run(a.home, 'trace', 'f'.repeat(32));
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`boxscope: No spans stored for trace ${'f'.repeat(32)}\n`);
    const bad = run(a.home, 'trace', 'xyz');
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
