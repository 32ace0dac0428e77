import { describe, expect, it } from 'vitest';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  fromExportRequest,
  OtlpDecodeError,
  warmProtobufDecoder,
} from './decode.js';
import { isSecretKey } from './attributes.js';
import { toExportRequest } from './encode.js';
import { pb } from './schema.js';

const T = '5b8efff798038103d269b633813fc60c';
const S = 'eee19b7ec3c1b174';

describe('OTLP JSON decoding', () => {
  it('accepts enum names, base64 ids and 64-bit ints without losing digits', () => {
    const r = fromExportRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(T, 'hex').toString('base64'),
                  spanId: S.toUpperCase(),
                  name: 'op',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: 1795000000000000000,
                  endTimeUnixNano: '1795000000000000001',
                  attributes: [
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'small', value: { intValue: '42' } },
                    { key: 'map', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } },
                  ],
                  status: { code: 'STATUS_CODE_ERROR' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(r.rejected).toBe(0);
    expect(r.spans[0]).toMatchObject({
      traceId: T,
      spanId: S,
      kind: 3,
      serviceName: 'svc',
      endTimeUnixNano: '1795000000000000001',
      attributes: { big: '9007199254740993', small: 42, map: '{"a":true}' },
      status: { code: 2 },
    });
  });

  it('reads the pre-1.0 instrumentationLibrarySpans field', () => {
    const r = fromExportRequest({
      resourceSpans: [
        {
          instrumentationLibrarySpans: [
            { instrumentationLibrary: { name: 'old' }, spans: [{ traceId: T, spanId: S, name: 'x' }] },
          ],
        },
      ],
    });
    expect(r.spans[0]).toMatchObject({ scope: { name: 'old' }, serviceName: 'unknown_service' });
  });

  it('rejects timestamps beyond uint64 (OTLP fixed64) instead of storing them', () => {
    const over = (2n ** 64n).toString();
    const max = (2n ** 64n - 1n).toString();
    const r = decodeOtlpJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: T, spanId: S, name: 'too-late', startTimeUnixNano: '1', endTimeUnixNano: over },
                  { traceId: T, spanId: 'b'.repeat(16), name: 'edge', startTimeUnixNano: '1', endTimeUnixNano: max },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(r.spans.map((s) => s.name)).toEqual(['edge']);
    expect(r.rejected).toBe(1);
    expect(r.spans[0]!.endTimeUnixNano).toBe(max);
  });

  it('rejects structurally wrong bodies as a whole and bad spans one by one', () => {
    expect(() => decodeOtlpJson('[1]')).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpJson('{"resourceSpans": {}}')).toThrow(/must be an array/);
    const r = fromExportRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: T, spanId: S, parentSpanId: 'zz' },
                { traceId: T, spanId: S, startTimeUnixNano: '-1' },
              ],
            },
          ],
        },
      ],
    });
    expect(r).toMatchObject({ rejected: 2, rejectReason: 'invalid parentSpanId' });
  });

  it('keeps a span whose attribute values are malformed lists or deeply nested maps', () => {
    let deep: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 20_000; i++) deep = { kvlistValue: { values: [{ key: 'k', value: deep }] } };
    const r = fromExportRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: T,
                  spanId: S,
                  attributes: [
                    { key: 'a', value: { arrayValue: { values: 'zz' } } },
                    { key: 'm', value: { kvlistValue: { values: [null, { key: 'ok', value: { intValue: 1 } }] } } },
                    { key: 'deep', value: deep },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(r.rejected).toBe(0);
    expect(r.spans[0]!.attributes).toMatchObject({ a: [], m: '{"ok":1}' });
  });

  it('round-trips through the OTLP JSON encoder', () => {
    const first = fromExportRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] },
          scopeSpans: [
            {
              scope: { name: 's', version: '1' },
              spans: [
                {
                  traceId: T,
                  spanId: S,
                  name: 'x',
                  kind: 2,
                  startTimeUnixNano: '5',
                  endTimeUnixNano: '9',
                  attributes: [
                    { key: 'd', value: { doubleValue: 1.5 } },
                    { key: 'l', value: { arrayValue: { values: [{ stringValue: 'p' }] } } },
                  ],
                  events: [{ timeUnixNano: '7', name: 'e' }],
                },
              ],
            },
          ],
        },
      ],
    }).spans;
    const again = fromExportRequest(JSON.parse(JSON.stringify(toExportRequest(first)))).spans;
    expect(again).toEqual(first);
  });
});

describe('credential attribute filter', () => {
  it.each([
    ['http.request.header.authorization', true],
    ['db.password', true],
    ['GHCR_TOKEN', true],
    ['box-auth-token', true],
    ['aws.secret', true],
    ['x.api_key', true],
    // The same rule masks the app's log fields, which are camelCase.
    ['identityToken', true],
    ['registryPassword', true],
    ['boxscope.credential.source', false],
    ['gen_ai.usage.input_tokens', false],
    ['boxlite.box.id', false],
    ['http.request.method', false],
  ])('%s → %s', (key, secret) => expect(isSecretKey(key)).toBe(secret));
});

describe('protobuf decoder warm-up', () => {
  it('leaves decoding as it was: the next request decodes to the same spans', () => {
    warmProtobufDecoder();
    const buf = pb.ExportTraceServiceRequest.encode(
      pb.ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: new Uint8Array(16).fill(0xab),
                    spanId: new Uint8Array(8).fill(0xcd),
                    name: 'sandbox.boot',
                    startTimeUnixNano: '1000',
                    endTimeUnixNano: '2000',
                    attributes: [{ key: 'n', value: { intValue: 7 } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const r = decodeOtlpProtobuf(buf);
    expect(r.rejected).toBe(0);
    expect(r.spans).toHaveLength(1);
    expect(r.spans[0]).toMatchObject({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'sandbox.boot' });
    expect(r.spans[0].attributes.n).toBe(7);
  });
});
