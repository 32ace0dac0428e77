import { describe, expect, it } from 'vitest';
import type { SpanRecord } from './models.js';
import { ColumnDecodeError, columnsOf, decodeColumns, idHex } from './trace-columns.js';

const span = (id: string, parent: string | undefined, start: string, end: string, extra: Partial<SpanRecord> = {}) =>
  ({
    traceId: 'a'.repeat(32),
    spanId: id,
    parentSpanId: parent,
    name: `op-${id.slice(-1)}`,
    kind: 1,
    serviceName: 'svc',
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0 },
    resource: {},
    ...extra,
  }) as SpanRecord;

describe('trace columns', () => {
  it('round-trips ids, exact nanosecond times, strings and events', () => {
    const spans = [
      span('00000000000000a1', undefined, '1764633600123456789', '1764633600923456789', {
        resource: { 'boxlite.box.id': 'box-1' },
        events: [{ timeUnixNano: '1764633600123456790', name: 'e', attributes: {} }],
      }),
      span('00000000000000a2', '00000000000000a1', '1764633600123456788', '1764633601123456789', {
        status: { code: 2 },
        serviceName: 'other',
      }),
    ];
    const b = decodeColumns(columnsOf('a'.repeat(32), spans));
    expect(b.count).toBe(2);
    expect(b.baseNs).toBe('1764633600123456788');
    expect(idHex(b.spanId, 0)).toBe('00000000000000a1');
    expect(idHex(b.parentId, 0)).toBe('');
    expect(idHex(b.parentId, 1)).toBe('00000000000000a1');
    expect(b.start[0]).toBe(1);
    expect(b.end[1]).toBe(1_000_000_001);
    expect(b.strings[b.name[1]]).toBe('op-2');
    expect(b.strings[b.service[1]]).toBe('other');
    expect(b.strings[b.boxId[0]]).toBe('box-1');
    expect(b.boxId[1]).toBe(0);
    expect(b.status[1]).toBe(2);
    expect([...b.eventNs.subarray(b.eventStart[0], b.eventStart[1])]).toEqual([2]);
    expect(b.eventStart[2] - b.eventStart[1]).toBe(0);
  });

  it('refuses bytes that are not a whole batch', () => {
    const bytes = columnsOf('a'.repeat(32), [span('00000000000000a1', undefined, '1', '2')]);
    expect(() => decodeColumns(bytes.slice(0, bytes.byteLength - 40))).toThrow(ColumnDecodeError);
    expect(() => decodeColumns(new Uint8Array(16))).toThrow(/not a column batch/);
  });
});
