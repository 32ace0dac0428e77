/**
 * The OTLP trace schema (opentelemetry-proto: common, resource, trace,
 * collector/trace) and google.rpc.Status, built with protobufjs reflection
 * so the bundled CLI and the Electron main process need no .proto file on disk.
 * Field numbers follow opentelemetry/proto v1.
 */
import protobuf from 'protobufjs';
import Long from 'long';

// fixed64 timestamps exceed 2^53: without Long they would lose nanoseconds.
if (!protobuf.util.Long) {
  protobuf.util.Long = Long;
  protobuf.configure();
}

const kv = (type: string, id: number, rule?: 'repeated') => ({ type, id, ...(rule ? { rule } : {}) });

const descriptor = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: {
              oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
            },
          },
          fields: {
            stringValue: kv('string', 1),
            boolValue: kv('bool', 2),
            intValue: kv('int64', 3),
            doubleValue: kv('double', 4),
            arrayValue: kv('ArrayValue', 5),
            kvlistValue: kv('KeyValueList', 6),
            bytesValue: kv('bytes', 7),
          },
        },
        ArrayValue: { fields: { values: kv('AnyValue', 1, 'repeated') } },
        KeyValueList: { fields: { values: kv('KeyValue', 1, 'repeated') } },
        KeyValue: { fields: { key: kv('string', 1), value: kv('AnyValue', 2) } },
        InstrumentationScope: {
          fields: {
            name: kv('string', 1),
            version: kv('string', 2),
            attributes: kv('KeyValue', 3, 'repeated'),
            droppedAttributesCount: kv('uint32', 4),
          },
        },
        Resource: {
          fields: { attributes: kv('KeyValue', 1, 'repeated'), droppedAttributesCount: kv('uint32', 2) },
        },
        ResourceSpans: {
          fields: {
            resource: kv('Resource', 1),
            scopeSpans: kv('ScopeSpans', 2, 'repeated'),
            schemaUrl: kv('string', 3),
          },
        },
        ScopeSpans: {
          fields: {
            scope: kv('InstrumentationScope', 1),
            spans: kv('Span', 2, 'repeated'),
            schemaUrl: kv('string', 3),
          },
        },
        Span: {
          fields: {
            traceId: kv('bytes', 1),
            spanId: kv('bytes', 2),
            traceState: kv('string', 3),
            parentSpanId: kv('bytes', 4),
            flags: kv('fixed32', 16),
            name: kv('string', 5),
            kind: kv('int32', 6),
            startTimeUnixNano: kv('fixed64', 7),
            endTimeUnixNano: kv('fixed64', 8),
            attributes: kv('KeyValue', 9, 'repeated'),
            droppedAttributesCount: kv('uint32', 10),
            events: kv('Event', 11, 'repeated'),
            droppedEventsCount: kv('uint32', 12),
            links: kv('Link', 13, 'repeated'),
            droppedLinksCount: kv('uint32', 14),
            status: kv('Status', 15),
          },
        },
        Event: {
          fields: {
            timeUnixNano: kv('fixed64', 1),
            name: kv('string', 2),
            attributes: kv('KeyValue', 3, 'repeated'),
            droppedAttributesCount: kv('uint32', 4),
          },
        },
        Link: {
          fields: {
            traceId: kv('bytes', 1),
            spanId: kv('bytes', 2),
            traceState: kv('string', 3),
            attributes: kv('KeyValue', 4, 'repeated'),
            droppedAttributesCount: kv('uint32', 5),
            flags: kv('fixed32', 6),
          },
        },
        Status: { fields: { message: kv('string', 2), code: kv('int32', 3) } },
        ExportTraceServiceRequest: { fields: { resourceSpans: kv('ResourceSpans', 1, 'repeated') } },
        ExportTraceServiceResponse: { fields: { partialSuccess: kv('ExportTracePartialSuccess', 1) } },
        ExportTracePartialSuccess: { fields: { rejectedSpans: kv('int64', 1), errorMessage: kv('string', 2) } },
        Any: { fields: { typeUrl: kv('string', 1), value: kv('bytes', 2) } },
        RpcStatus: {
          fields: { code: kv('int32', 1), message: kv('string', 2), details: kv('Any', 3, 'repeated') },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export const pb = {
  ExportTraceServiceRequest: root.lookupType('otlp.ExportTraceServiceRequest'),
  ExportTraceServiceResponse: root.lookupType('otlp.ExportTraceServiceResponse'),
  RpcStatus: root.lookupType('otlp.RpcStatus'),
  // The parts a protobuf trace file is read by, one at a time (otlp/pb-stream.ts).
  Resource: root.lookupType('otlp.Resource'),
  InstrumentationScope: root.lookupType('otlp.InstrumentationScope'),
  Span: root.lookupType('otlp.Span'),
};

/** Wire-compatible JSON shapes of the OTLP messages (the proto3 JSON mapping OTLP uses). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: { timeUnixNano: string; name: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string; traceState?: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number; message?: string };
}
export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[]; schemaUrl?: string }[];
  schemaUrl?: string;
}
export interface ExportTraceServiceRequest {
  resourceSpans: OtlpResourceSpans[];
}
