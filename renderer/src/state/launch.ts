import type { LaunchRequest, LaunchResult } from '../../../shared/models.js';
import { call, errorInfo, listen } from '../api/client.js';
import { createUiTracer, type UiTracer } from '../telemetry/ui-tracer.js';
import { useApp } from './app-store.js';

let tracer: UiTracer | undefined;

function uiTracer(): UiTracer {
  tracer ??= createUiTracer((otlpJson) => call('traces:recordUi', { otlpJson }), useApp.getState().info?.version);
  return tracer;
}

function newRequestId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Launches this page started and can still cancel, by the request id their pull progress names. */
const running = new Map<string, AbortController>();

/** Whether this page can cancel the launch a pull belongs to (launches from elsewhere it cannot). */
export function canCancel(requestId: string): boolean {
  return running.has(requestId);
}

/** Cancels a launch this page started: the core stops it down to the engine. */
export function cancelLaunch(requestId: string): void {
  running.get(requestId)?.abort();
}

/**
 * One launch as the user sees it: the `box.create` span opens before the
 * call, its traceparent rides in the request, and it ends (with the error
 * when there is one) when the call returns.
 */
export async function launchBox(
  req: Omit<LaunchRequest, 'traceparent' | 'tracestate' | 'requestId'>,
  onBoxId?: (boxId: string) => void,
): Promise<LaunchResult> {
  const requestId = newRequestId();
  const span = uiTracer().startLaunch(req.image);
  let known: string | undefined;
  const learn = (boxId: string) => {
    if (known) return;
    known = boxId;
    span.setBoxId(boxId);
    onBoxId?.(boxId);
  };
  const off = listen('pull:progress', undefined, (p) => {
    if (p.requestId === requestId && p.boxId) learn(p.boxId);
  });
  const ac = new AbortController();
  running.set(requestId, ac);
  try {
    const res = await call(
      'boxes:launch',
      { ...req, traceparent: span.traceparent, tracestate: span.tracestate, requestId },
      { signal: ac.signal },
    );
    learn(res.boxId);
    span.end();
    return res;
  } catch (err) {
    const info = errorInfo(err);
    // A launch that failed after the box got its id still names the box on its span.
    if (typeof info.details?.boxId === 'string') span.setBoxId(info.details.boxId);
    span.end({ code: info.code, message: info.message });
    throw err;
  } finally {
    running.delete(requestId);
    off();
  }
}
