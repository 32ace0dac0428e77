/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set for the app, every span this process
 * stores is also sent to that collector (Jaeger, Tempo…), batched in the
 * background so a slow or absent collector never holds up a launch.
 */
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Resource } from '@opentelemetry/resources';
import type { SpanRecord } from '../../../shared/models.js';
import type { Logger } from '../contracts.js';
import { recordsToReadable } from './readable.js';

export interface Forwarder {
  url: string;
  forward(spans: SpanRecord[]): void;
  close(): Promise<void>;
}

/** Per the OTel spec: the per-signal variable is used as is, the generic one gets `/v1/traces`. */
export function forwardUrl(env: NodeJS.ProcessEnv): string | undefined {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  return base.replace(/\/+$/, '') + '/v1/traces';
}

export function createForwarder(env: NodeJS.ProcessEnv, log: Logger): Forwarder | undefined {
  const url = forwardUrl(env);
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    log.warn('OTEL_EXPORTER_OTLP_ENDPOINT is not a URL; spans are not forwarded');
    return undefined;
  }
  const exporter = new OTLPTraceExporter({
    url: parsed.href,
    // The OTel SDKs' own reading of `k=v,k2=v2` (percent-decoded, malformed pairs skipped).
    headers: parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS),
  });
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: 65_536,
    maxExportBatchSize: 2048,
    scheduledDelayMillis: 500,
  });
  const resources = new Map<string, Resource>();
  return {
    url: parsed.href,
    forward(spans) {
      for (const s of recordsToReadable(spans, resources)) processor.onEnd(s as never);
    },
    async close() {
      // Bounded: quitting the app must not wait on an unreachable collector.
      await Promise.race([
        processor.shutdown().catch(() => undefined),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]);
    },
  };
}
