/**
 * The renderer's own spans. `box.create` starts on the Launch click so the
 * trace begins where the user acted; its traceparent travels with the launch
 * call, and the finished span goes to the core as OTLP JSON.
 */
import { ROOT_CONTEXT, SpanStatusCode, defaultTextMapSetter, trace, type Span } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ATTR, SERVICE, SPAN } from '../../../shared/constants.js';

type Record = (otlpJson: string) => Promise<void>;

class CoreExporter implements SpanExporter {
  constructor(private readonly record: Record) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes) return done({ code: ExportResultCode.FAILED });
    this.record(new TextDecoder().decode(bytes)).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface UiTracer {
  startLaunch(image: string): LaunchSpan;
}

export interface LaunchSpan {
  traceparent: string;
  tracestate?: string;
  traceId: string;
  setBoxId(boxId: string): void;
  end(error?: { code: string; message: string }): void;
}

export function createUiTracer(record: Record, version = '0.1.0'): UiTracer {
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE.ui, 'service.version': version }),
    spanProcessors: [new SimpleSpanProcessor(new CoreExporter(record))],
  });
  const tracer = provider.getTracer('boxscope-renderer', version);
  const propagator = new W3CTraceContextPropagator();
  return {
    startLaunch(image) {
      const span: Span = tracer.startSpan(SPAN.boxCreate, { attributes: { [ATTR.imageRef]: image } }, ROOT_CONTEXT);
      const carrier: { traceparent?: string; tracestate?: string } = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
      let boxId: string | undefined;
      return {
        traceparent: carrier.traceparent ?? '',
        tracestate: carrier.tracestate,
        traceId: span.spanContext().traceId,
        setBoxId(id) {
          if (boxId) return;
          boxId = id;
          span.setAttribute(ATTR.boxId, id);
        },
        end(error) {
          if (error) {
            span.recordException({ name: error.code, message: error.message });
            span.setAttribute(ATTR.errorType, error.code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          } else span.setStatus({ code: SpanStatusCode.OK });
          span.end();
        },
      };
    },
  };
}
