/**
 * Reads a trace file a user imports, whole: OTLP JSON (an
 * ExportTraceServiceRequest, or one per line as the collector's file exporter
 * writes) or Jaeger JSON. The same incremental parser as a streamed import
 * (trace-stream.ts), given the text as one chunk.
 */
import type { SpanRecord } from '../../../shared/models.js';
import { parseTraceBytes } from './trace-stream.js';

export { fromJaeger } from './jaeger.js';

export function parseTraceFile(content: string | Uint8Array, fileName?: string): SpanRecord[] {
  return parseTraceBytes(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, { fileName });
}
