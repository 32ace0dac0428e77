/**
 * Hostile OTLP/HTTP requests for the receiver (issue 10's soak): each input is
 * made from its own seeded generator, so input #i of seed S is the same bytes
 * on every run. A kind's `expect` is the set of answers that are right for it;
 * every answer must also be a well-formed OTLP body (docs/CONTRACTS.md, the
 * receiver).
 */
import zlib from 'node:zlib';
import { pb } from '../../electron/core/otlp/schema.js';
import { rng, type Rng } from './rng.js';

export interface HostileRequest {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
  /** A Content-Length other than the body's (a lie). */
  declaredLength?: number;
  /** Statuses that are right for this kind. */
  expect: number[];
}

const OK = [200, 429];
// 429 too: a sender with another body being read at that moment is asked to retry (the receiver's body budget).
const BAD = [400, 429];

/** Whatever a compliant receiver may answer (issue 10): success/partial success, 400, 413, 415, 429. */
export const WELL_FORMED_STATUSES = [200, 400, 413, 415, 429];

let bombs: { json: Buffer; proto: Buffer } | undefined;
/** 80 MiB of JSON-ish and protobuf-ish zeros as ~80 KB of gzip, made once. */
function gzipBombs(): { json: Buffer; proto: Buffer } {
  bombs ??= {
    json: zlib.gzipSync(Buffer.concat([Buffer.from('{"resourceSpans":[{"x":"'), Buffer.alloc(80 << 20, 0x41)]), {
      level: 9,
    }),
    proto: zlib.gzipSync(Buffer.alloc(80 << 20), { level: 9 }),
  };
  return bombs;
}

const NOW = 1_795_000_000_000_000_000n;

function span(r: Rng, traceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const start = NOW + BigInt(r.int(0, 1e9));
  return {
    traceId,
    spanId: r.hex(8),
    name: `fuzz.${r.int(0, 999)}`,
    kind: r.int(0, 5),
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(r.int(0, 1e9))),
    attributes: [{ key: 'fuzz.n', value: { intValue: String(r.int(0, 1e6)) } }],
    ...extra,
  };
}

function request(spans: unknown[], resource: unknown[] = []): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz-box' } }, ...resource] },
        scopeSpans: [{ scope: { name: 'fuzz' }, spans }],
      },
    ],
  };
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));

/** OTLP JSON → protobuf (ids hex → bytes). */
function proto(o: Record<string, unknown>): Buffer {
  const conv = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string' && (key === 'traceId' || key === 'spanId' || key === 'parentSpanId'))
      return Buffer.from(v, 'hex');
    if (Array.isArray(v)) return v.map((x) => conv(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x, k)]));
    return v;
  };
  const msg = pb.ExportTraceServiceRequest.fromObject(conv(o) as Record<string, unknown>);
  return Buffer.from(pb.ExportTraceServiceRequest.encode(msg).finish());
}

const CT_JSON = { 'content-type': 'application/json' };
const CT_PB = { 'content-type': 'application/x-protobuf' };

type Gen = (r: Rng, traceId: string) => HostileRequest;

/** Each kind with its weight; the weights keep 5,000 inputs within a few minutes on a 2-core machine. */
const KINDS: Array<[number, string, Gen]> = [
  [10, 'valid-json', (r, t) => ({ kind: '', body: json(request(many(r, t))), headers: CT_JSON, expect: OK })],
  [8, 'valid-protobuf', (r, t) => ({ kind: '', body: proto(request(many(r, t))), headers: CT_PB, expect: OK })],
  [
    5,
    'gzip-json',
    (r, t) => ({
      kind: '',
      body: zlib.gzipSync(json(request(many(r, t)))),
      headers: { ...CT_JSON, 'content-encoding': 'gzip' },
      expect: OK,
    }),
  ],
  [
    4,
    'gzip-protobuf',
    (r, t) => ({
      kind: '',
      body: zlib.gzipSync(proto(request(many(r, t)))),
      headers: { ...CT_PB, 'content-encoding': 'gzip' },
      expect: OK,
    }),
  ],
  [
    2,
    'gzip-bomb',
    (r) => {
      const pbBomb = r.chance(0.5);
      const b = gzipBombs();
      return {
        kind: '',
        body: pbBomb ? b.proto : b.json,
        headers: { ...(pbBomb ? CT_PB : CT_JSON), 'content-encoding': 'gzip' },
        expect: [413, 429],
      };
    },
  ],
  [
    4,
    'bad-gzip',
    (r, t) => {
      const g = zlib.gzipSync(json(request(many(r, t))));
      const cut = r.chance(0.5) ? g.subarray(0, r.int(1, g.length - 1)) : Buffer.concat([r.bytes(r.int(1, 64)), g]);
      return { kind: '', body: cut, headers: { ...CT_JSON, 'content-encoding': 'gzip' }, expect: BAD };
    },
  ],
  [
    2,
    'huge-attribute',
    (r, t) => {
      const big = 'x'.repeat(r.int(256 * 1024, 3 * 1024 * 1024));
      const body = request(
        [span(r, t, { attributes: [{ key: 'huge', value: { stringValue: big } }] })],
        [{ key: 'huge.res', value: { stringValue: big.slice(0, 100_000) } }],
      );
      const asPb = r.chance(0.5);
      return { kind: '', body: asPb ? proto(body) : json(body), headers: asPb ? CT_PB : CT_JSON, expect: OK };
    },
  ],
  [
    3,
    'many-attributes',
    (r, t) => {
      const attrs = Array.from({ length: r.int(1000, 20_000) }, (_, i) => ({
        key: `k${i}`,
        value: { stringValue: r.hex(8) },
      }));
      return { kind: '', body: json(request([span(r, t, { attributes: attrs })])), headers: CT_JSON, expect: OK };
    },
  ],
  [
    4,
    'deep-nesting-json',
    (r, t) => {
      const depth = r.int(20, 50_000);
      const raw = r.chance(0.5);
      // Either nested AnyValues (the decoder's recursion) or raw JSON brackets (the parser's).
      const body = raw
        ? Buffer.from('{"resourceSpans":' + '['.repeat(depth) + ']'.repeat(depth) + '}')
        : Buffer.from(
            JSON.stringify(request([span(r, t, { attributes: [{ key: 'deep', value: 'DEEP' }] })])).replace(
              '"DEEP"',
              '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth),
            ),
          );
      return { kind: '', body, headers: CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    3,
    'deep-nesting-protobuf',
    (r, t) => {
      // AnyValue{arrayValue(5){values(1){…}}} built as bytes, so depth is not limited by protobufjs' encoder.
      const depth = r.int(20, 20_000);
      let inner = Buffer.from([0x0a, 0x01, 0x78]); // AnyValue{string_value:"x"}
      for (let i = 0; i < depth && inner.length < 4 * 1024 * 1024; i++) {
        const arr = Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]); // ArrayValue{values}
        inner = Buffer.concat([Buffer.from([0x2a]), varint(arr.length), arr]); // AnyValue{array_value}
      }
      const kv = Buffer.concat([Buffer.from([0x0a, 0x01, 0x64, 0x12]), varint(inner.length), inner]);
      const s = proto(request([span(r, t)]));
      // Appends a KeyValue to the span's attributes by re-encoding the span bytes is complex; send it as a resource attribute.
      const res = Buffer.concat([Buffer.from([0x0a]), varint(kv.length), kv]); // Resource{attributes}
      const rs = Buffer.concat([Buffer.from([0x0a]), varint(res.length), res]); // ResourceSpans{resource}
      const body = Buffer.concat([Buffer.from([0x0a]), varint(rs.length), rs, s]);
      return { kind: '', body, headers: CT_PB, expect: [200, 400, 429] };
    },
  ],
  [
    6,
    'bad-ids',
    (r, t) => {
      const bad = () =>
        r.pick<unknown>([
          '',
          'zz',
          r.hex(15),
          r.hex(17),
          '0'.repeat(32),
          'g'.repeat(32),
          r.bytes(16).toString('base64'),
          12345,
          null,
          { id: 1 },
          ['a'],
          t.toUpperCase(),
          '0'.repeat(16),
        ]);
      const spans = Array.from({ length: r.int(1, 20) }, () =>
        span(r, t, r.chance(0.5) ? { traceId: bad() } : { spanId: bad(), parentSpanId: r.chance(0.3) ? bad() : '' }),
      );
      return { kind: '', body: json(request(spans)), headers: CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    6,
    'bad-timestamps',
    (r, t) => {
      const bad = () =>
        r.pick<unknown>([
          '18446744073709551616',
          '99999999999999999999999',
          '-1',
          -5,
          '1e30',
          1e30,
          1.5,
          'abc',
          '0x10',
          ' 12',
          true,
          {},
          [],
          Number.MAX_VALUE,
          '00000000000000000000001',
        ]);
      const spans = Array.from({ length: r.int(1, 10) }, () =>
        span(r, t, r.chance(0.5) ? { startTimeUnixNano: bad() } : { endTimeUnixNano: bad() }),
      );
      const asPb = r.chance(0.2);
      if (asPb) {
        // fixed64 cannot exceed uint64 on the wire; a huge value as a varint of the wrong wire type instead.
        const body = Buffer.concat([proto(request([span(r, t)])), Buffer.from([0x39]), r.bytes(r.int(0, 7))]);
        return { kind: '', body, headers: CT_PB, expect: [200, 400, 429] };
      }
      return { kind: '', body: json(request(spans)), headers: CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    4,
    'wrong-content-type',
    (r, t) => ({
      kind: '',
      body: json(request([span(r, t)])),
      headers: {
        'content-type': r.pick(['text/plain', 'application/grpc', '', 'multipart/form-data', 'application/xml', '*/*']),
      },
      expect: [415],
    }),
  ],
  [
    3,
    'mismatched-content-type',
    (r, t) =>
      r.chance(0.5)
        ? { kind: '', body: json(request([span(r, t)])), headers: CT_PB, expect: [200, 400, 429] }
        : { kind: '', body: proto(request([span(r, t)])), headers: CT_JSON, expect: BAD },
  ],
  [
    2,
    'wrong-content-encoding',
    (r, t) => ({
      kind: '',
      body: json(request([span(r, t)])),
      headers: { ...CT_JSON, 'content-encoding': r.pick(['br', 'deflate', 'zstd', 'gzip, gzip', 'x']) },
      expect: [415],
    }),
  ],
  [
    6,
    'truncated',
    (r, t) => {
      const asPb = r.chance(0.5);
      const full = asPb ? proto(request(many(r, t))) : json(request(many(r, t)));
      return {
        kind: '',
        body: full.subarray(0, r.int(1, full.length - 1)),
        headers: asPb ? CT_PB : CT_JSON,
        expect: [200, 400, 429],
      };
    },
  ],
  [
    3,
    'oversized-content-length',
    (r, t) => ({
      kind: '',
      body: json(request([span(r, t)])),
      headers: CT_JSON,
      declaredLength: r.pick([64 * 1024 * 1024 + 1, 100_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER]),
      expect: [413],
    }),
  ],
  [
    6,
    'random-bytes',
    (r) => {
      const asPb = r.chance(0.6);
      return { kind: '', body: r.bytes(r.int(0, 4096)), headers: asPb ? CT_PB : CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    6,
    'mutated-json',
    (r, t) => {
      const text = JSON.stringify(request(many(r, t)));
      const chars = [...text];
      for (let i = 0, n = r.int(1, 8); i < n; i++)
        chars[r.int(0, chars.length - 1)] = r.pick([
          '{',
          '}',
          '[',
          ']',
          '"',
          ',',
          ':',
          '\\',
          '0',
          'null',
          '\u0000',
          '\ud800',
        ]);
      return { kind: '', body: Buffer.from(chars.join('')), headers: CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    5,
    'wrong-shapes',
    (r, t) => {
      const odd = () => r.pick<unknown>([null, 1, 'x', true, [], {}, [[]], { a: 1 }, -1, 1e308]);
      const base = request([span(r, t)]) as { resourceSpans: Array<Record<string, unknown>> };
      const where = r.int(0, 5);
      const body =
        where === 0
          ? odd()
          : where === 1
            ? { resourceSpans: odd() }
            : where === 2
              ? { resourceSpans: [{ ...base.resourceSpans[0], scopeSpans: odd() }] }
              : where === 3
                ? request([span(r, t, { name: odd(), kind: odd(), status: odd() })])
                : where === 4
                  ? request([span(r, t, { attributes: odd(), events: odd(), links: odd() })])
                  : request([span(r, t)], [{ key: odd(), value: odd() }]);
      return { kind: '', body: json(body), headers: CT_JSON, expect: [200, 400, 429] };
    },
  ],
  [
    5,
    'mutated-protobuf',
    (r, t) => {
      const b = Buffer.from(proto(request(many(r, t))));
      for (let i = 0, n = r.int(1, 8); i < n; i++) b[r.int(0, b.length - 1)] = r.int(0, 255);
      return { kind: '', body: b, headers: CT_PB, expect: [200, 400, 429] };
    },
  ],
  [
    3,
    'foreign-trace',
    (r) => ({
      kind: '',
      body: json(request(Array.from({ length: r.int(1, 20) }, () => span(r, r.hex(16))))),
      headers: CT_JSON,
      expect: [200, 429],
    }),
  ],
  [
    2,
    'spoofed-box',
    (r, t) => ({
      kind: '',
      body: json(
        request(
          [span(r, t, { attributes: [{ key: 'boxlite.box.id', value: { stringValue: 'bx-000000000000' } }] })],
          [{ key: 'boxlite.box.id', value: { stringValue: 'bx-000000000000' } }],
        ),
      ),
      headers: CT_JSON,
      expect: OK,
    }),
  ],
];

function many(r: Rng, t: string): Record<string, unknown>[] {
  return Array.from({ length: r.int(1, 60) }, () => span(r, t));
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

const TOTAL = KINDS.reduce((a, k) => a + k[0], 0);

export const KIND_NAMES = KINDS.map((k) => k[1]);

/** Input #i of `seed`, for the box whose launch trace is `traceId`. */
export function hostileRequest(seed: number, i: number, traceId: string): HostileRequest {
  const r = rng((seed * 100_003 + i) >>> 0);
  let w = r.next() * TOTAL;
  for (const [weight, kind, gen] of KINDS) {
    w -= weight;
    if (w < 0) return { ...gen(r, traceId), kind };
  }
  const [, kind, gen] = KINDS[0]!;
  return { ...gen(r, traceId), kind };
}
