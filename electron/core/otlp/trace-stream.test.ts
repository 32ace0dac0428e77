/** The streamed trace-file parser: every format, odd key orders, every chunk boundary, and its errors. */
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../../shared/models.js';
import { decodeOtlpProtobuf, fromExportRequest } from './decode.js';
import { pb } from './schema.js';
import { parseTraceStream, TraceStreamParser } from './trace-stream.js';
import { parseTraceFile } from './trace-file.js';

const T = 'ab'.repeat(16);
const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
const otlpSpan = (i: number, extra: Record<string, unknown> = {}) => ({
  traceId: T,
  spanId: (i + 1).toString(16).padStart(16, '0'),
  name: `op-${i}`,
  startTimeUnixNano: String(1_000_000 + i),
  endTimeUnixNano: String(2_000_000 + i),
  attributes: [kv('k', `v${i}`)],
  ...extra,
});
const request = (n: number) => ({
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', 'svc-a')] },
      scopeSpans: [{ scope: { name: 'lib', version: '1' }, spans: Array.from({ length: n }, (_, i) => otlpSpan(i)) }],
    },
  ],
});

const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Feeds `text` cut at the given offsets; returns every span, in order. */
function parseCut(text: string, cuts: number[]): SpanRecord[] {
  const buf = bytes(text);
  const p = new TraceStreamParser();
  const out: SpanRecord[] = [];
  let at = 0;
  for (const c of [...cuts, buf.length]) {
    p.push(buf.subarray(at, c));
    out.push(...p.take());
    at = c;
  }
  p.end();
  out.push(...p.take());
  return out;
}

const parseAll = (text: string) => parseCut(text, []);
const byId = (spans: SpanRecord[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));

describe('parseTraceStream', () => {
  it('decodes OTLP JSON exactly as the whole-request decoder does', () => {
    const req = request(20);
    expect(byId(parseAll(JSON.stringify(req)))).toEqual(byId(fromExportRequest(req).spans));
  });

  it('gives the same spans whatever the chunk boundary, for every byte of a small file', () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [otlpSpan(0, { name: 'q"uo\\te \u00e9\u4e2d \ud83d\ude00 {[' })], scope: { name: 's' } },
          ],
          resource: { attributes: [kv('service.name', 'é{"')] },
        },
      ],
    });
    const whole = parseAll(text);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatchObject({ name: 'q"uo\\te é中 😀 {[', serviceName: 'é{"', scope: { name: 's' } });
    const len = bytes(text).length;
    for (let cut = 1; cut < len; cut++) expect(parseCut(text, [cut])).toEqual(whole);
    // And one byte at a time.
    expect(
      parseCut(
        text,
        Array.from({ length: len - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(whole);
  });

  it('holds spans until a resource or scope that comes after them is known', () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          schemaUrl: 'x',
          scopeSpans: [
            { spans: [otlpSpan(0), otlpSpan(1)], scope: { name: 'late-scope' } },
            { scope: { name: 'early' }, spans: [otlpSpan(2)] },
          ],
          resource: { attributes: [kv('service.name', 'late-svc')] },
        },
      ],
      extra: { resourceSpans: 'ignored' },
    });
    const spans = byId(parseAll(text));
    expect(spans.map((s) => [s.serviceName, s.scope?.name])).toEqual([
      ['late-svc', 'late-scope'],
      ['late-svc', 'late-scope'],
      ['late-svc', 'early'],
    ]);
  });

  it('reads NDJSON of requests (the collector file exporter) and the older instrumentationLibrary names', () => {
    const a = JSON.stringify(request(2));
    const b = JSON.stringify({
      resourceSpans: [
        { instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [otlpSpan(7)] }] },
      ],
    });
    const spans = parseAll(`${a}\n${b}\n\n`);
    expect(spans).toHaveLength(3);
    expect(spans[2]).toMatchObject({ serviceName: 'unknown_service', scope: { name: 'old' } });
  });

  it('reads Jaeger JSON with processes after the spans, and a bare {spans} trace', () => {
    const jspan = (id: string, extra = {}) => ({
      traceID: T,
      spanID: id,
      operationName: 'op' + id,
      startTime: 1000,
      duration: 5,
      processID: 'p1',
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }],
      ...extra,
    });
    const text = JSON.stringify({
      data: [
        {
          traceID: T,
          spans: [jspan('01'), jspan('02', { references: [{ refType: 'CHILD_OF', spanID: '01' }] })],
          processes: { p1: { serviceName: 'jsvc' } },
        },
      ],
      total: 0,
    });
    const spans = parseAll(text);
    expect(spans.map((s) => [s.spanId.slice(-2), s.serviceName, s.kind, s.parentSpanId?.slice(-2)])).toEqual([
      ['01', 'jsvc', 2, undefined],
      ['02', 'jsvc', 2, '01'],
    ]);
    const bare = parseAll(JSON.stringify({ spans: [jspan('03')], processes: { p1: { serviceName: 'bare' } } }));
    expect(bare[0]).toMatchObject({ serviceName: 'bare', endTimeUnixNano: '1005000' });
  });

  it('holds Jaeger spans as bytes until their processes come, then gives them a batch at a time, in file order', async () => {
    const U = 'cd'.repeat(16);
    const jspan = (trace: string, i: number, pid: string) => ({
      traceID: trace,
      spanID: (i + 1).toString(16).padStart(16, '0'),
      operationName: `op-${i}`,
      startTime: 1000 + i,
      duration: 5,
      processID: pid,
    });
    // Trace T: processes last (Jaeger's own order); trace U: processes first.
    const text = JSON.stringify({
      data: [
        {
          traceID: T,
          spans: Array.from({ length: 1000 }, (_, i) => jspan(T, i, i % 2 ? 'p2' : 'p1')),
          processes: { p1: { serviceName: 'one' }, p2: { serviceName: 'two' } },
        },
        {
          traceID: U,
          processes: { p1: { serviceName: 'three' } },
          spans: Array.from({ length: 10 }, (_, i) => jspan(U, 2000 + i, 'p1')),
        },
      ],
    });
    const p = new TraceStreamParser();
    p.push(bytes(text));
    p.end();
    // Read and ended, but only what was asked for is decoded.
    const first = p.take(100);
    expect(first.length).toBeGreaterThanOrEqual(100);
    expect(first.length).toBeLessThan(1000);
    expect(p.holding).toBe(true);
    expect(first.slice(0, 2).map((s) => s.serviceName)).toEqual(['one', 'two']);
    const rest = p.take();
    expect(p.holding).toBe(false);
    const all = [...first, ...rest];
    expect(all.map((s) => s.name)).toEqual([
      ...Array.from({ length: 1000 }, (_, i) => `op-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `op-${2000 + i}`),
    ]);
    expect(new Set(all.slice(1000).map((s) => s.serviceName))).toEqual(new Set(['three']));
    // The stream gives the same spans in batches of the asked size.
    const sizes: number[] = [];
    for await (const b of parseTraceStream([bytes(text)], { batchSpans: 300 })) sizes.push(b.spans.length);
    expect(sizes).toEqual([300, 300, 300, 110]);
  });

  it('a held Jaeger span that is not JSON names its byte, found when its turn comes', () => {
    const good = JSON.stringify({ traceID: T, spanID: '01', operationName: 'a', startTime: 1, duration: 1 });
    const text = `{"data":[{"traceID":"${T}","spans":[${good},{"spanID":"02","startTime":1x}],"processes":{}}]}`;
    const p = new TraceStreamParser();
    p.push(bytes(text));
    p.end();
    expect(() => p.take()).toThrow(new RegExp(`not valid JSON in a span at byte ${text.indexOf('1x') + 1}$`));
  });

  it('yields batches of the asked size as chunks arrive', async () => {
    const buf = bytes(JSON.stringify(request(1000)));
    const chunks = Array.from({ length: Math.ceil(buf.length / 4096) }, (_, i) =>
      buf.subarray(i * 4096, (i + 1) * 4096),
    );
    const sizes: number[] = [];
    for await (const b of parseTraceStream(chunks, { batchSpans: 300 })) sizes.push(b.spans.length);
    expect(sizes).toEqual([300, 300, 300, 100]);
  });

  it.each([
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId" 1}]}]}]}', /^not valid JSON in a span at byte 54$/],
    ['{"resourceSpans" []}', /^not valid JSON: unexpected '\[' at byte 17$/],
    ['{"resourceSpans":[]]', /^not valid JSON: unexpected '\]' at byte 19$/],
    ['[1,2]', /^not OTLP JSON or Jaeger JSON: unexpected '\[' at byte 0$/],
    ['\n  x', /^not OTLP JSON or Jaeger JSON: unexpected 'x' at byte 3$/],
    ['{"hello":"world"}', /^neither OTLP JSON \(resourceSpans\) nor Jaeger JSON \(data\[\]\.spans\)$/],
    ['{"resourceSpans":[]}', /^the file holds no spans$/],
    ['{"resourceSpans":[]}\n{"other":1}', /^neither OTLP JSON .* at byte 21$/],
    ['', /^the file is empty$/],
    [
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01"}]}]}]}',
      /^no usable spans \(1 with invalid traceId\)$/,
    ],
  ])('refuses %j in one line', (text, message) => {
    expect(() => parseAll(text)).toThrow(
      expect.objectContaining({ code: 'BAD_TRACE_FILE', message: expect.stringMatching(message) }),
    );
  });

  it('says where a truncated file ends, inside a span or not', () => {
    const text = JSON.stringify(request(3));
    const inSpan = text.indexOf('"name":"op-2"');
    expect(() => parseAll(text.slice(0, inSpan))).toThrow(`truncated: the file ends inside a span at byte ${inSpan}`);
    expect(() => parseAll(text.slice(0, -3))).toThrow(
      /^truncated: the file ends at byte \d+ before its JSON is closed$/,
    );
  });

  it('refuses a file over the size cap, naming the file', () => {
    const p = new TraceStreamParser({ maxBytes: 10, fileName: 'big.json' });
    p.push(bytes('{"resource'));
    expect(() => p.push(bytes('Spans"'))).toThrow('big.json: larger than the 10 bytes a trace file may have');
  });
});

describe('escapes across chunk boundaries', () => {
  it('reads runs of backslashes before quotes wherever a chunk ends', () => {
    const names = ['\\', '\\\\', '\\"', '"\\', 'a\\\\\\"b', '\\\\\\\\"', 'x"y"z\\'];
    const text = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: names.map((name, i) => otlpSpan(i, { name })) }] }],
    });
    const len = Buffer.byteLength(text);
    const want = names;
    for (let cut = 1; cut < len; cut++) {
      for (const second of [cut + 1, cut + 2, cut + 3]) {
        if (second >= len) continue;
        expect(parseCut(text, [cut, second]).map((s) => s.name)).toEqual(want);
      }
    }
  });
});

describe('random documents, random chunks', () => {
  it('always gives what JSON.parse and the whole-request decoder give', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = ['a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'é', '😀', '\n', '\u0001'];
    const str = () =>
      Array.from({ length: Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    for (let round = 0; round < 150; round++) {
      const req = {
        resourceSpans: [
          {
            resource: { attributes: [kv('service.name', str()), kv(str() || 'k', str())] },
            scopeSpans: [
              {
                scope: { name: str() },
                spans: Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, i) =>
                  otlpSpan(i, { name: str(), attributes: [kv(str() || 'k', str())] }),
                ),
              },
            ],
          },
        ],
      };
      const text = JSON.stringify(req, null, rand() < 0.5 ? 0 : 1);
      const len = Buffer.byteLength(text);
      const cuts = [
        ...new Set(Array.from({ length: Math.floor(rand() * 8) }, () => 1 + Math.floor(rand() * (len - 1)))),
      ].sort((a, b) => a - b);
      expect(byId(parseCut(text, cuts))).toEqual(byId(fromExportRequest(JSON.parse(text)).spans));
    }
  });
});

describe('protobuf trace files', () => {
  const pbSpan = (i: number) => ({
    traceId: Buffer.from(T, 'hex'),
    spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
    name: `op-${i}`,
    kind: 2,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
    endTimeUnixNano: String(1_700_000_000_000_000_500n + BigInt(i)),
    attributes: [kv('k', `v${i}`)],
  });
  const encode = (o: object) =>
    Buffer.from(pb.ExportTraceServiceRequest.encode(pb.ExportTraceServiceRequest.fromObject(o)).finish());
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    return Buffer.from([...out, n]);
  };
  /** The ResourceSpans bytes of a request holding one. */
  const rsBytes = (o: object) => {
    const b = encode({ resourceSpans: [o] });
    let i = 1;
    while (b[i]! & 0x80) i++;
    return b.subarray(i + 1);
  };
  const wrap = (rs: Buffer) => Buffer.concat([Buffer.from([0x0a]), varint(rs.length), rs]);
  const feed = (buf: Uint8Array, cuts: number[]) => {
    const p = new TraceStreamParser();
    const out: SpanRecord[] = [];
    let at = 0;
    for (const c of [...cuts, buf.length]) {
      p.push(buf.subarray(at, c));
      out.push(...p.take());
      at = c;
    }
    p.end();
    return [...out, ...p.take()];
  };

  it('decodes each span as the whole-request protobuf decoder does, whatever the chunk boundary', () => {
    const req = {
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', 'pb-svc')] },
          scopeSpans: [{ scope: { name: 'lib', version: '2' }, spans: [0, 1, 2].map(pbSpan) }],
        },
        { resource: { attributes: [kv('service.name', 'other')] }, scopeSpans: [{ spans: [pbSpan(3)] }] },
      ],
    };
    const buf = encode(req);
    const want = byId(decodeOtlpProtobuf(buf).spans);
    expect(want).toHaveLength(4);
    expect(byId(feed(buf, []))).toEqual(want);
    for (let cut = 1; cut < buf.length; cut++) expect(byId(feed(buf, [cut]))).toEqual(want);
    expect(
      byId(
        feed(
          buf,
          Array.from({ length: buf.length - 1 }, (_, i) => i + 1),
        ),
      ),
    ).toEqual(want);
    expect(byId(parseTraceFile(buf, 'x.pb'))).toEqual(want);
  });

  it('holds spans whose resource comes after them, and skips unknown fields', () => {
    const spansFirst = rsBytes({ scopeSpans: [{ scope: { name: 's' }, spans: [pbSpan(0)] }] });
    const resource = rsBytes({ resource: { attributes: [kv('service.name', 'late')] } });
    const unknown = Buffer.from([0x98, 0x06, 0x07, 0xa2, 0x06, 0x02, 0x41, 0x42]); // field 99 varint, field 100 bytes
    const buf = Buffer.concat([wrap(Buffer.concat([spansFirst, unknown, resource])), unknown]);
    const spans = feed(buf, []);
    expect(spans.map((s) => [s.serviceName, s.scope?.name, s.name])).toEqual([['late', 's', 'op-0']]);
  });

  it('says where a truncated or broken protobuf file stops', () => {
    const buf = encode({ resourceSpans: [{ scopeSpans: [{ spans: [pbSpan(0), pbSpan(1)] }] }] });
    expect(() => feed(buf.subarray(0, buf.length - 3), [])).toThrow(
      `truncated: the file ends inside a span at byte ${buf.length - 3}`,
    );
    expect(() => feed(Buffer.from([0x0a, 0x05, 0x0b, 0x00]), [])).toThrow(
      /^not a valid protobuf trace file: wire type 3 at byte 2$/,
    );
  });
});
