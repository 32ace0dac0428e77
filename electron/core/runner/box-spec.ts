/**
 * What a box is made of before the engine sees it: the checked request, the
 * env Boxscope injects (the trace context and the OTLP endpoints), the
 * labels that let the list survive a restart, and the mounts.
 */
import crypto from 'node:crypto';
import { BOX_AUTH_HEADER, DEFAULT_OTLP_PORT, ENV, LABEL, RESERVED_BOX_ENV } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LaunchRequest, PullPolicy } from '../../../shared/models.js';
import { boxRunDir, IN_BOX, type Paths } from '../config.js';
import { parseReference, type ImageRef } from '../registry/reference.js';

/** Which data dir launched a box (not in shared/: only the core reads it). */
export const HOME_LABEL = 'boxscope.home';
export const DAEMON_LABEL = 'boxscope.daemon';
export const DIGEST_LABEL = 'boxscope.image.digest';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function newBoxId(): string {
  return 'bx-' + crypto.randomBytes(6).toString('hex');
}

export function checkEnv(env: Record<string, string> | undefined): void {
  for (const k of Object.keys(env ?? {})) {
    if (!ENV_NAME_RE.test(k)) throw new BoxscopeError('INVALID_INPUT', `Invalid environment variable name "${k}"`);
    if (RESERVED_BOX_ENV.includes(k))
      throw new BoxscopeError('RESERVED_ENV', `${k} is set by Boxscope for every box and cannot be given by the user`, {
        variable: k,
      });
  }
}

export interface CheckedRequest {
  ref: ImageRef;
  policy: PullPolicy;
  wantDaemon: boolean;
}

/** Everything about a request that can be refused before the engine is asked anything. */
export function checkRequest(req: LaunchRequest): CheckedRequest {
  if (!req || typeof req.image !== 'string' || !req.image.trim())
    throw new BoxscopeError('INVALID_INPUT', 'An image is required');
  const ref = parseReference(req.image);
  checkEnv(req.env);
  const policy: PullPolicy = req.pull ?? 'missing';
  if (req.name !== undefined && !NAME_RE.test(req.name))
    throw new BoxscopeError('INVALID_INPUT', `Invalid box name "${req.name}": letters, digits, '_', '.', '-'`);
  return { ref, policy, wantDaemon: req.daemon !== false };
}

/** Labels a box of this data dir carries; the engine filters on them. */
export function ownLabels(home: string): string[] {
  return [`${LABEL.managedBy}=true`, `${HOME_LABEL}=${home}`];
}

/** The user's env plus the contract env: trace context, both OTLP endpoints and the box's token. */
export function boxEnv(
  req: LaunchRequest,
  boxId: string,
  tp: { traceparent: string; tracestate?: string },
  token: string,
): string[] {
  const env: Record<string, string> = {
    ...(req.env ?? {}),
    [ENV.boxId]: boxId,
    [ENV.traceparent]: tp.traceparent,
    [ENV.otelTraceparent]: tp.traceparent,
    ...(tp.tracestate ? { [ENV.tracestate]: tp.tracestate, [ENV.otelTracestate]: tp.tracestate } : {}),
    [ENV.otelEndpoint]: `unix://${IN_BOX.otlpSocket}`,
    [ENV.otlpEndpoint]: `http://127.0.0.1:${DEFAULT_OTLP_PORT}`,
    [ENV.otlpHeaders]: `${BOX_AUTH_HEADER}=${token}`,
  };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/**
 * Every bind mount of a box, in one place: the box's own socket directory
 * (read-only, so the box can connect but not unlink or replace the socket;
 * no other box's directory is visible) and the in-box daemon when used.
 */
export function boxMounts(paths: Pick<Paths, 'runDir'>, boxId: string, daemonPath: string | undefined): string[] {
  const binds = [`${boxRunDir(paths, boxId)}:${IN_BOX.runDir}:ro`];
  if (daemonPath) binds.push(`${daemonPath}:${IN_BOX.daemon}:ro`);
  return binds;
}

export function boxLabels(box: Box, home: string, withDaemon: boolean): Record<string, string> {
  return {
    [LABEL.boxId]: box.boxId,
    [LABEL.traceId]: box.traceId!,
    [LABEL.name]: box.name,
    [LABEL.image]: box.image,
    [LABEL.managedBy]: 'true',
    [DAEMON_LABEL]: withDaemon ? 'true' : 'false',
    // Which data dir launched it: lets tests and several app instances clean up only their own boxes.
    [HOME_LABEL]: home,
    ...(box.imageDigest ? { [DIGEST_LABEL]: box.imageDigest } : {}),
  };
}

/** The daemon wraps the image's own argv; on the host's network the app's receiver holds 127.0.0.1:4318, so no relay. */
export function daemonEntrypoint(argv: string[], network: string | undefined): string[] {
  return [IN_BOX.daemon, ...(network === 'host' ? ['--no-relay'] : []), '--', ...argv];
}
