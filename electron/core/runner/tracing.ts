/** Span helpers for the runner: W3C parent parsing/injection (OTel's propagator) and uniform failure marking. */
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR } from '../../../shared/constants.js';
import { toErrorInfo } from '../../../shared/errors.js';

const propagator = new W3CTraceContextPropagator();

/** The caller's context from a traceparent, or `invalid` when one was given but could not be read. */
export function parentContext(traceparent?: string, tracestate?: string): { ctx?: Context; invalid: boolean } {
  if (!traceparent) return { invalid: false };
  const carrier: Record<string, string> = { traceparent: traceparent.trim() };
  if (tracestate) carrier.tracestate = tracestate;
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  if (!sc || !isSpanContextValid(sc)) return { invalid: true };
  return { ctx, invalid: false };
}

/** traceparent/tracestate of a span, as the box and its daemon will read them. */
export function injectFrom(ctx: Context): { traceparent: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}

export function failSpan(span: Span, err: unknown): void {
  const info = toErrorInfo(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
  span.recordException({ name: info.code, message: info.message });
  span.setAttribute(ATTR.errorType, info.code);
}

/** Runs fn inside a child span of `parent`; the span ends either way and records a failure. */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  parent: Context,
  attributes: Attributes,
  fn: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { attributes }, parent);
  try {
    const r = await fn(span, trace.setSpan(parent, span));
    span.end();
    return r;
  } catch (err) {
    failSpan(span, err);
    span.end();
    throw err;
  }
}
