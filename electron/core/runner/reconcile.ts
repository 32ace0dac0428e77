/** What a launch cut off (its process killed, its engine connection lost) leaves behind, put right from the engine. */
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, LABEL } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box } from '../../../shared/models.js';
import { LAUNCHING } from './box-state.js';
import type { BoxRecords } from './records.js';
import { failSpan } from './tracing.js';

/** Marks, in the launch's own trace, that the launch was cut off (see reconcile). */
export const INTERRUPTED_SPAN = 'box.interrupted';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Boxes left in creating/pulling/starting by a launch that no longer runs
 * (its process was killed, or the engine connection dropped) become
 * `failed` with reason "interrupted" unless the engine says they run; their
 * trace gets a `box.interrupted` ERROR span under the launch's parent span.
 * Runs on every list, so on a core's first list and after an engine reconnect.
 */
export function reconcile(
  containers: Docker.ContainerInfo[],
  records: BoxRecords,
  launching: ReadonlySet<string>,
  tracer: Tracer,
): void {
  const notes = records.notes();
  const byId = new Map(containers.map((c) => [c.Labels?.[LABEL.boxId], c]));
  const candidates = [
    ...records.orphans().filter((b) => LAUNCHING.includes(b.state)),
    ...containers
      .filter((c) => c.State === 'created' || notes[c.Labels?.[LABEL.boxId] ?? '']?.launchPid)
      .map((c) => ({ boxId: c.Labels?.[LABEL.boxId] ?? '', traceId: c.Labels?.[LABEL.traceId] }) as Box),
  ];
  for (const b of candidates) {
    if (!b.boxId || launching.has(b.boxId)) continue;
    const note = notes[b.boxId] ?? {};
    if (note.launchPid && note.launchPid !== process.pid && pidAlive(note.launchPid)) continue;
    if (note.reason) continue;
    const c = byId.get(b.boxId);
    const reason = 'interrupted: the launch ended before the box started (Boxscope or its engine connection went away)';
    if (c?.State === 'running') records.note(b.boxId, { launchPid: undefined });
    else {
      records.note(b.boxId, { launchPid: undefined, reason });
      if (!c) records.addOrphan({ ...b, state: 'failed', reason });
    }
    markInterrupted(tracer, b, note.parentSpanId, c?.State === 'running');
  }
}

function markInterrupted(tracer: Tracer, b: Box, parentSpanId: string | undefined, running: boolean): void {
  if (!b.traceId || !parentSpanId) return;
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: b.traceId,
    spanId: parentSpanId,
    traceFlags: 1,
    isRemote: true,
  });
  const span = tracer.startSpan(
    INTERRUPTED_SPAN,
    { attributes: { [ATTR.boxId]: b.boxId, 'boxscope.launch.interrupted': true } },
    parent,
  );
  if (!running) failSpan(span, new BoxscopeError('INTERNAL', 'Launch interrupted'));
  span.end();
}
