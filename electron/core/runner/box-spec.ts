/**
 * What a box is made of before the engine sees it: the checked request, the
 * env Boxscope injects (the trace context and the OTLP endpoints), the
 * labels that let the list survive a restart, and the mounts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type Docker from 'dockerode';
import { BOX_AUTH_HEADER, DEFAULT_OTLP_PORT, ENV, LABEL, RESERVED_BOX_ENV } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { BOX_NAME_RE, ENV_NAME_RE, launchProblems } from '../../../shared/launch-rules.js';
import type { Box, LaunchProblem, LaunchRequest, LaunchSpec, PullPolicy } from '../../../shared/models.js';
import { boxRunDir, IN_BOX, type Paths } from '../config.js';
import { parseReference, type ImageRef } from '../registry/reference.js';

/** Which data dir launched a box (not in shared/: only the core reads it). */
export const HOME_LABEL = 'boxscope.home';
export const DAEMON_LABEL = 'boxscope.daemon';
export const DIGEST_LABEL = 'boxscope.image.digest';

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

/** A bind's host path must exist on the machine the core runs on (the engine's, for a local engine). */
export function hostPathProblems(spec: Pick<LaunchSpec, 'mounts'>): LaunchProblem[] {
  const out: LaunchProblem[] = [];
  (spec.mounts ?? []).forEach((m, i) => {
    if (m.type !== 'bind' || !m.source.startsWith('/')) return;
    if (!fs.existsSync(m.source))
      out.push({ field: `mounts.${i}`, message: `Host path ${m.source} does not exist on this machine` });
  });
  return out;
}

/** Every problem the core finds in a request without asking the engine: the shared rules, the image reference, host paths. */
export function validateLaunch(req: Partial<LaunchRequest>): LaunchProblem[] {
  const out = launchProblems(req ?? {});
  if (typeof req?.image === 'string' && req.image.trim() && !out.some((p) => p.field === 'image')) {
    try {
      parseReference(req.image);
    } catch (err) {
      out.push({ field: 'image', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return [...out, ...hostPathProblems(req ?? {})];
}

/** What "Run again" needs of a request: the launch spec without the caller's trace context and request id. */
export function specOf(req: LaunchRequest): LaunchSpec {
  const { traceparent: _tp, tracestate: _ts, requestId: _r, ...spec } = req;
  return JSON.parse(JSON.stringify(spec)) as LaunchSpec;
}

/** Everything about a request that can be refused before the engine is asked anything. */
export function checkRequest(req: LaunchRequest): CheckedRequest {
  if (!req || typeof req.image !== 'string' || !req.image.trim())
    throw new BoxscopeError('INVALID_INPUT', 'An image is required');
  const ref = parseReference(req.image);
  checkEnv(req.env);
  const policy: PullPolicy = req.pull ?? 'missing';
  if (req.name !== undefined && req.name !== '' && !BOX_NAME_RE.test(req.name))
    throw new BoxscopeError('INVALID_INPUT', `Invalid box name "${req.name}": letters, digits, '_', '.', '-'`);
  const problems = [...launchProblems(req), ...hostPathProblems(req)];
  if (problems.length) throw new BoxscopeError('INVALID_INPUT', problems[0].message, { field: problems[0].field });
  return { ref, policy, wantDaemon: req.daemon !== false };
}

/**
 * The process a box runs, as the engine would pick it (docker run's rules):
 * an entrypoint override replaces the image's and drops the image's CMD
 * (`[]` clears it); a cmd override replaces the image's CMD.
 */
export function boxArgv(
  req: LaunchSpec,
  image: { Entrypoint?: string[] | string | null; Cmd?: string[] | string | null },
): string[] {
  const list = (v: string[] | string | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const entrypoint = req.entrypoint ?? list(image.Entrypoint);
  const cmd = req.cmd ?? (req.entrypoint ? [] : list(image.Cmd));
  return [...entrypoint, ...cmd];
}

/** The engine's create options for the user's launch options (docs/CONTRACTS.md, "Box lifecycle"). */
export function userOptions(req: LaunchSpec): {
  config: Pick<Docker.ContainerCreateOptions, 'WorkingDir' | 'User' | 'ExposedPorts'>;
  host: Pick<Docker.HostConfig, 'Mounts' | 'PortBindings' | 'RestartPolicy'>;
} {
  const config: Pick<Docker.ContainerCreateOptions, 'WorkingDir' | 'User' | 'ExposedPorts'> = {};
  const host: Pick<Docker.HostConfig, 'Mounts' | 'PortBindings' | 'RestartPolicy'> = {};
  if (req.workdir) config.WorkingDir = req.workdir;
  if (req.user) config.User = req.user;
  if (req.mounts?.length)
    host.Mounts = req.mounts.map((m) => ({
      Type: m.type,
      Source: m.source,
      Target: m.target,
      ReadOnly: !!m.readOnly,
    }));
  if (req.ports?.length) {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of req.ports) {
      const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '127.0.0.1', HostPort: p.hostPort ? String(p.hostPort) : '' });
    }
    config.ExposedPorts = exposed;
    host.PortBindings = bindings;
  }
  if (req.restart)
    host.RestartPolicy = {
      Name: req.restart,
      MaximumRetryCount: req.restart === 'on-failure' ? (req.restartMaxRetries ?? 0) : 0,
    };
  return { config, host };
}

/** A fresh generated box name: the image's last path segment and six hex digits. */
export function generatedName(ref: ImageRef, boxId?: string): string {
  const suffix = boxId ? boxId.slice(3, 9) : crypto.randomBytes(3).toString('hex');
  return `${ref.repository.split('/').pop()}-${suffix}`;
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

/** The user's labels under Boxscope's own, which win (the rules refuse `boxlite.*`/`boxscope.*` anyway). */
export function boxLabels(
  box: Box,
  home: string,
  withDaemon: boolean,
  user?: Record<string, string>,
): Record<string, string> {
  return {
    ...(user ?? {}),
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
