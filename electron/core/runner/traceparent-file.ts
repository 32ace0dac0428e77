/**
 * The box's traceparent file (`/.boxlite/run/traceparent` inside the box, in
 * its read-only run dir): before each start the runner writes there the W3C
 * trace context of the `daemon.wait` span that will contain the boot, and the
 * daemon prefers it to BOXLITE_TRACEPARENT, which is fixed at create (see
 * docs/CONTRACTS.md, "Box lifecycle").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '@opentelemetry/api';
import { IN_BOX, makeBoxRunDir, type Paths } from '../config.js';
import { injectFrom } from './tracing.js';

/** The daemon reads at most this much (daemon/traceparent.go). */
export const MAX_TRACEPARENT_FILE = 512;

export function traceparentFilePath(paths: Pick<Paths, 'runDir'>, boxId: string): string {
  return path.join(makeBoxRunDir(paths, boxId), path.basename(IN_BOX.traceparentFile));
}

/** Line 1 the traceparent, line 2 the tracestate (dropped when the two would not fit the daemon's bound). */
export function writeTraceparentFile(paths: Pick<Paths, 'runDir'>, boxId: string, ctx: Context): void {
  const { traceparent, tracestate } = injectFrom(ctx);
  if (!traceparent) return;
  let body = `${traceparent}\n${tracestate ?? ''}\n`;
  if (Buffer.byteLength(body) > MAX_TRACEPARENT_FILE) body = `${traceparent}\n`;
  const file = traceparentFilePath(paths, boxId);
  // Written whole and renamed into place: the daemon never reads half a value.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, body, { mode: 0o644 });
  fs.chmodSync(tmp, 0o644);
  fs.renameSync(tmp, file);
}
