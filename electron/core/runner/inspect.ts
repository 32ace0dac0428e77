/**
 * The inspect tab (`boxes:inspect`): the engine's view of a box, with the
 * env names Boxscope sets flagged and the box's receiver token masked — the
 * token never leaves the core (docs/CONTRACTS.md, "Box lifecycle").
 */
import { trace } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ENV, RESERVED_BOX_ENV, SECRET_MASK } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { RESTART_POLICIES, type Box, type BoxInspect, type RestartPolicy } from '../../../shared/models.js';
import { IN_BOX } from '../config.js';
import { engineError, statusCodeOf } from '../docker/engine.js';
import { parentContext } from './tracing.js';

/** Env whose value is a credential: shown masked. */
const SECRET_ENV = new Set<string>([ENV.otlpHeaders]);

const isoOrUndefined = (t: string | undefined): string | undefined =>
  t && !t.startsWith('0001-01-01') ? t : undefined;

function splitEnv(e: string): { name: string; value: string } {
  const i = e.indexOf('=');
  return i < 0 ? { name: e, value: '' } : { name: e.slice(0, i), value: e.slice(i + 1) };
}

type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | undefined;

function ports(live: PortMap, bound: PortMap): BoxInspect['ports'] {
  const out: BoxInspect['ports'] = [];
  const seen = new Set<string>();
  for (const map of [live, bound]) {
    for (const [key, binds] of Object.entries(map ?? {})) {
      const [p, protocol = 'tcp'] = key.split('/');
      const containerPort = Number(p);
      if (!Number.isInteger(containerPort)) continue;
      for (const b of binds?.length ? binds : [{}]) {
        const hostPort = b.HostPort ? Number(b.HostPort) : undefined;
        const k = `${containerPort}/${protocol}/${b.HostIp ?? ''}/${hostPort ?? ''}`;
        // The live map wins; a binding asked for but not (yet) live shows once.
        if (seen.has(k) || (map === bound && out.some((o) => o.containerPort === containerPort && o.hostPort)))
          continue;
        seen.add(k);
        out.push({
          containerPort,
          protocol,
          ...(b.HostIp ? { hostIp: b.HostIp } : {}),
          ...(hostPort && Number.isFinite(hostPort) ? { hostPort } : {}),
        });
      }
    }
  }
  return out;
}

/** What `docker inspect` says of a box, made safe to show. */
export function toBoxInspect(box: Box, info: Docker.ContainerInspectInfo): BoxInspect {
  const env = (info.Config?.Env ?? []).map((e) => {
    const { name, value } = splitEnv(e);
    const reserved = RESERVED_BOX_ENV.includes(name);
    return SECRET_ENV.has(name) ? { name, value: SECRET_MASK, reserved, secret: true } : { name, value, reserved };
  });
  const traceparent = env.find((e) => e.name === ENV.traceparent)?.value;
  const tpCtx = traceparent ? parentContext(traceparent).ctx : undefined;
  const sc = tpCtx ? trace.getSpanContext(tpCtx) : undefined;
  const policy = info.HostConfig?.RestartPolicy?.Name;
  const restartPolicy: RestartPolicy = RESTART_POLICIES.includes(policy as RestartPolicy)
    ? (policy as RestartPolicy)
    : 'no';
  const networks = Object.keys(info.NetworkSettings?.Networks ?? {});
  const state = info.State;
  return {
    boxId: box.boxId,
    containerId: info.Id,
    name: (info.Name ?? '').replace(/^\//, '') || box.name,
    image: box.image || info.Config?.Image,
    ...(box.imageDigest ? { imageDigest: box.imageDigest } : {}),
    entrypoint: Array.isArray(info.Config?.Entrypoint)
      ? info.Config.Entrypoint
      : info.Config?.Entrypoint
        ? [String(info.Config.Entrypoint)]
        : [],
    cmd: Array.isArray(info.Config?.Cmd) ? info.Config.Cmd : [],
    ...(info.Config?.WorkingDir ? { workdir: info.Config.WorkingDir } : {}),
    ...(info.Config?.User ? { user: info.Config.User } : {}),
    env,
    mounts: (info.Mounts ?? []).map((m) => {
      const target = m.Destination;
      return {
        type: m.Type ?? 'bind',
        source: m.Type === 'volume' && m.Name ? m.Name : m.Source,
        target,
        readOnly: m.RW === false,
        boxscope: target === IN_BOX.dir || target.startsWith(IN_BOX.dir + '/'),
      };
    }),
    labels: info.Config?.Labels ?? {},
    network: info.HostConfig?.NetworkMode ?? networks[0] ?? 'default',
    ports: ports(info.NetworkSettings?.Ports as PortMap, info.HostConfig?.PortBindings as PortMap),
    restartPolicy,
    restartCount: Number.isInteger(info.RestartCount) && info.RestartCount >= 0 ? info.RestartCount : 0,
    state: state?.Status ?? box.state,
    ...(state && !state.Running && Number.isInteger(state.ExitCode) ? { exitCode: state.ExitCode } : {}),
    ...(isoOrUndefined(state?.StartedAt) ? { startedAt: state!.StartedAt } : {}),
    ...(isoOrUndefined(state?.FinishedAt) ? { finishedAt: state!.FinishedAt } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(sc ? { traceparentSpan: { traceId: sc.traceId, spanId: sc.spanId } } : {}),
  };
}

export async function inspectBox(docker: Docker, box: Box, env: NodeJS.ProcessEnv): Promise<BoxInspect> {
  if (!box.containerId)
    throw new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name} has no container (it failed before one was created)`);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(box.containerId).inspect();
  } catch (err) {
    if (statusCodeOf(err) === 404)
      throw new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name}'s container is gone (removed outside Boxscope)`);
    throw engineError(err, env, 'Inspect failed');
  }
  return toBoxInspect(box, info);
}
