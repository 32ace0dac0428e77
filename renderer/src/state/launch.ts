import type { LaunchRequest, LaunchResult } from '../../../shared/models.js';
import { call, errorInfo, listen } from '../api/client.js';
import { createUiTracer, type UiTracer } from '../telemetry/ui-tracer.js';
import { useApp } from './app-store.js';

let tracer: UiTracer | undefined;

function uiTracer(): UiTracer {
  tracer ??= createUiTracer((otlpJson) => call('traces:recordUi', { otlpJson }), useApp.getState().info?.version);
  return tracer;
}

/** Launch requests still in flight, by request id, so the boxes page can offer cancel. */
export const inFlight = new Map<string, { image: string; boxId?: string }>();

function newRequestId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * One launch as the user sees it: the `box.create` span opens before the
 * call, its traceparent rides in the request, and it ends (with the error
 * when there is one) when the call returns.
 */
export async function launchBox(
  req: Omit<LaunchRequest, 'traceparent' | 'tracestate' | 'requestId'>,
): Promise<LaunchResult> {
  const requestId = newRequestId();
  const span = uiTracer().startLaunch(req.image);
  inFlight.set(requestId, { image: req.image });
  const off = listen('pull:progress', (p) => {
    if (p.requestId !== requestId) return;
    if (p.boxId) {
      span.setBoxId(p.boxId);
      inFlight.set(requestId, { image: req.image, boxId: p.boxId });
    }
  });
  try {
    const res = await call('boxes:launch', {
      ...req,
      traceparent: span.traceparent,
      tracestate: span.tracestate,
      requestId,
    });
    span.setBoxId(res.boxId);
    span.end();
    return res;
  } catch (err) {
    const info = errorInfo(err);
    span.end({ code: info.code, message: info.message });
    throw err;
  } finally {
    off();
    inFlight.delete(requestId);
  }
}

export function requestIdForBox(boxId: string): string | undefined {
  for (const [id, v] of inFlight) if (v.boxId === boxId) return id;
  return undefined;
}
