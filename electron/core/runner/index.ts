/**
 * The runner: launches boxes on the engine (auth → pull → create → start →
 * daemon boot), keeps their list in step with the engine's labels and
 * events, and reports everything as spans of one trace.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import type Docker from 'dockerode';
import {
  ATTR,
  ENV,
  LABEL,
  RESERVED_BOX_ENV,
  SPAN,
  BOX_AUTH_HEADER,
  DEFAULT_OTLP_PORT,
} from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, BoxState, LaunchRequest, LogChunk, LaunchResult, PullPolicy } from '../../../shared/models.js';
import { IN_BOX } from '../config.js';
import type { CoreContext } from '../contracts.js';
import { authconfigFor, type Credentials } from '../credentials/index.js';
import { connectEngine, engineError, engineMessage, statusCodeOf } from '../docker/engine.js';
import { outcomeCode, probeRegistry } from '../registry/probe.js';
import { parseReference, type ImageRef } from '../registry/reference.js';
import { demuxLogs, lastLines, LogDemuxer } from './logs.js';
import { pullImage, PullFailed } from './pull.js';
import { BoxRecords } from './records.js';
import { failSpan, injectFrom, inSpan, parentContext } from './tracing.js';

export type RunnerContext = Pick<CoreContext, 'paths' | 'env' | 'events' | 'log' | 'tracer' | 'store' | 'daemon'>;

/**
 * How long a started box gets to show that its process died at once. It runs
 * from the engine's start, alongside the wait for the daemon's boot span, and
 * is short because a launch must stay as quick as `docker run -d`: a process
 * that dies later is still caught by the engine's events and shown as exited.
 * BOXSCOPE_EXIT_GRACE_MS lengthens it on slow machines.
 */
const EXIT_GRACE_MS = 15;

function exitGrace(env: NodeJS.ProcessEnv): number {
  const n = Number(env.BOXSCOPE_EXIT_GRACE_MS);
  return env.BOXSCOPE_EXIT_GRACE_MS && Number.isFinite(n) && n >= 0 ? n : EXIT_GRACE_MS;
}

const BOOT_TIMEOUT_MS = 5000;
/** Which data dir launched a box (not in shared/: only the core reads it). */
export const HOME_LABEL = 'boxscope.home';
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

function stateOf(
  c: Docker.ContainerInspectInfo['State'] | { Status: string; ExitCode?: number },
  stoppedByUser: boolean,
): BoxState {
  switch (c.Status) {
    case 'created':
      return 'creating';
    case 'running':
    case 'paused':
      return 'running';
    case 'restarting':
      return 'starting';
    case 'removing':
      return 'stopping';
    case 'dead':
      return 'failed';
    case 'exited':
      return stoppedByUser ? 'stopped' : 'exited';
    default:
      return 'exited';
  }
}

export class Runner {
  private readonly boxes = new Map<string, Box>();
  private readonly pending = new Set<AbortController>();
  /** Log follows in flight, ended with the runner. */
  private readonly follows = new Set<AbortController>();
  /** Engine `die` events that arrived while a launch still owned its box's state, replayed once it returns. */
  private readonly diedDuringLaunch = new Map<string, string>();
  private readonly records: BoxRecords;
  private watching?: AbortController;
  private closed = false;
  private arch?: string;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly credentials: Credentials,
  ) {
    this.records = new BoxRecords(ctx.paths.home);
  }

  private get docker(): Docker {
    return connectEngine(this.ctx.env);
  }

  private changed(box: Box): void {
    this.boxes.set(box.boxId, box);
    this.ctx.events.emit('boxes:changed', { ...box });
  }

  /** Boxes of this data dir only: another BOXSCOPE_HOME (another user of the engine, a test) keeps its own list. */
  private ownLabels(): string[] {
    return [`${LABEL.managedBy}=true`, `${HOME_LABEL}=${this.ctx.paths.home}`];
  }

  /** `signal` (the caller's cancel) aborts the launch down to the engine: pull, create, the daemon wait. */
  async launch(req: LaunchRequest, opts: { signal?: AbortSignal } = {}): Promise<LaunchResult> {
    if (!req || typeof req.image !== 'string' || !req.image.trim())
      throw new BoxscopeError('INVALID_INPUT', 'An image is required');
    const ref = parseReference(req.image);
    checkEnv(req.env);
    const policy: PullPolicy = req.pull ?? 'missing';
    if (!['always', 'missing', 'never'].includes(policy))
      throw new BoxscopeError('INVALID_INPUT', `Unknown pull policy "${policy}" (always, missing, never)`);
    if (req.name !== undefined && !NAME_RE.test(req.name))
      throw new BoxscopeError('INVALID_INPUT', `Invalid box name "${req.name}": letters, digits, '_', '.', '-'`);
    const wantDaemon = req.daemon !== false;
    const { tracer } = this.ctx;
    const boxId = newBoxId();
    const warnings: string[] = [...this.credentials.envWarnings()];

    const given = parentContext(req.traceparent, req.tracestate);
    let parent: Context;
    let root: Span | undefined;
    if (given.ctx) parent = given.ctx;
    else {
      if (given.invalid)
        warnings.push(`Invalid traceparent "${String(req.traceparent).slice(0, 80)}" ignored: started a new trace`);
      root = tracer.startSpan(
        SPAN.boxCreate,
        { attributes: { [ATTR.boxId]: boxId, [ATTR.imageRef]: ref.canonical } },
        ROOT_CONTEXT,
      );
      parent = trace.setSpan(ROOT_CONTEXT, root);
    }
    const traceId = trace.getSpanContext(parent)!.traceId;
    const box: Box = {
      boxId,
      name: req.name ?? `${ref.repository.split('/').pop()}-${boxId.slice(3, 9)}`,
      image: req.image,
      traceId,
      state: 'creating',
      createdAt: Date.now(),
      daemon: wantDaemon,
    };
    this.changed(box);
    const ac = new AbortController();
    this.pending.add(ac);
    const onCancel = () => ac.abort();
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    const base = { [ATTR.boxId]: boxId };
    try {
      const result = await this.launchSteps(req, ref, policy, box, parent, base, ac.signal, warnings, wantDaemon);
      root?.setAttribute(ATTR.containerId, result.containerId);
      root?.end();
      return result;
    } catch (err) {
      let e = engineError(err, this.ctx.env, 'Launch failed');
      // A failed launch returns no warnings: a 401 carries the ones about its registry (e.g. GHCR_TOKEN unset) itself.
      const why = warnings.filter((w) => w.includes(ref.registry));
      if (e.code === 'REGISTRY_UNAUTHORIZED' && why.length)
        e = new BoxscopeError(e.code, `${e.message} (${why.join('; ')})`, e.details);
      box.state = 'failed';
      box.reason = e.message;
      if (e.details && typeof e.details.exitCode === 'number') box.exitCode = e.details.exitCode;
      if (box.containerId) this.records.note(boxId, { reason: e.message, exitCode: box.exitCode });
      else this.records.addOrphan({ ...box });
      this.changed(box);
      if (root) {
        failSpan(root, e);
        root.end();
      }
      throw new BoxscopeError(e.code, e.message, { ...e.details, boxId, traceId });
    } finally {
      this.pending.delete(ac);
      opts.signal?.removeEventListener('abort', onCancel);
    }
  }

  private async launchSteps(
    req: LaunchRequest,
    ref: ImageRef,
    policy: PullPolicy,
    box: Box,
    parent: Context,
    base: Record<string, string>,
    signal: AbortSignal,
    warnings: string[],
    wantDaemon: boolean,
  ): Promise<LaunchResult> {
    const { tracer, env } = this.ctx;
    const docker = this.docker;
    const image = docker.getImage(ref.canonical);
    // Independent engine and host work starts now and is awaited where needed, so a cached launch pays for it once.
    const archP = wantDaemon ? this.engineArch().catch(() => undefined) : Promise.resolve(undefined);
    const present = await image.inspect().then(
      (i) => i,
      (err) => {
        if (statusCodeOf(err) === 404) return undefined;
        throw engineError(err, env);
      },
    );
    const needPull = policy === 'always' || (policy === 'missing' && !present);
    if (policy === 'never' && !present)
      throw new BoxscopeError(
        'IMAGE_NOT_PRESENT',
        `Image ${req.image} is not present locally and the pull policy is "never"`,
      );

    const auth = await inSpan(
      tracer,
      SPAN.registryAuth,
      parent,
      { ...base, [ATTR.registry]: ref.registry },
      async (span) => {
        if (!needPull) {
          span.setAttribute(ATTR.credentialSource, 'not needed (image present locally)');
          return undefined;
        }
        const r = await this.credentials.resolve(ref);
        for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
        span.setAttribute(
          ATTR.credentialSource,
          r.insecure ? 'none (INSECURE_REGISTRIES)' : (r.credential?.sourceDetail ?? 'none'),
        );
        if (r.credential?.username) span.setAttribute('boxscope.credential.username', r.credential.username);
        return r;
      },
    );

    let info = present;
    await inSpan(
      tracer,
      SPAN.imagePull,
      parent,
      { ...base, [ATTR.registry]: ref.registry, [ATTR.imageRef]: ref.canonical },
      async (span) => {
        if (needPull) {
          box.state = 'pulling';
          this.changed(box);
          const requestId = req.requestId ?? box.boxId;
          try {
            const snap = await pullImage(docker, ref.canonical, {
              authconfig: authconfigFor(auth?.credential, ref),
              signal,
              onProgress: (s) =>
                this.ctx.events.emit('pull:progress', {
                  requestId,
                  boxId: box.boxId,
                  image: req.image,
                  layers: s.layers,
                  layersDone: s.layersDone,
                  layersTotal: s.layersTotal,
                  bytesCurrent: s.bytesCurrent,
                  bytesTotal: s.bytesTotal,
                  done: false,
                }),
              onLayerDone: (l) => span.addEvent('layer', { 'layer.id': l.id, 'layer.bytes': l.bytes }),
            });
            this.ctx.events.emit('pull:progress', {
              requestId,
              boxId: box.boxId,
              image: req.image,
              layers: snap.layers,
              layersDone: snap.layersDone,
              layersTotal: snap.layersTotal,
              bytesCurrent: snap.bytesCurrent,
              bytesTotal: snap.bytesTotal,
              done: true,
            });
            span.setAttribute(ATTR.pullBytes, snap.bytesTotal);
            span.setAttribute(ATTR.pullLayers, snap.layersTotal);
          } catch (err) {
            if (err instanceof BoxscopeError) throw err;
            throw await this.explainPullFailure(err, ref, auth?.credential, !!auth?.insecure);
          }
          info = await image.inspect().catch((err) => {
            throw engineError(err, env);
          });
        } else {
          span.setAttribute('boxscope.image.cached', true);
        }
        box.imageDigest = digestOf(info!, ref);
        span.setAttribute(ATTR.imageDigest, box.imageDigest);
      },
    );

    const imageConfig = info!.Config ?? ({} as Docker.ImageInspectInfo['Config']);
    const argv = [...(imageConfig.Entrypoint ?? []), ...(imageConfig.Cmd ?? [])];
    let daemonPath: string | undefined;
    if (wantDaemon) {
      const arch = await archP;
      daemonPath = arch ? this.ctx.daemon.binaryPath(arch) : undefined;
      if (!daemonPath)
        warnings.push(
          'The in-box daemon is not built (npm run build:daemon): launched without it, so no sandbox.boot span',
        );
    }
    if (!argv.length)
      throw new BoxscopeError('INVALID_INPUT', `Image ${req.image} has no entrypoint or command to run`);

    if (signal.aborted) throw new BoxscopeError('CANCELLED', `Launch of ${req.image} cancelled`);
    const receiverP = daemonPath ? this.ctx.daemon.ensureReceiver() : Promise.resolve();
    receiverP.catch(() => undefined);
    const token = crypto.randomBytes(24).toString('hex');
    const container = await inSpan(tracer, SPAN.containerCreate, parent, { ...base }, async (span, spanCtx) => {
      const tp = injectFrom(spanCtx);
      const boxEnv: Record<string, string> = {
        ...(req.env ?? {}),
        [ENV.boxId]: box.boxId,
        [ENV.traceparent]: tp.traceparent,
        [ENV.otelTraceparent]: tp.traceparent,
        ...(tp.tracestate ? { [ENV.tracestate]: tp.tracestate, [ENV.otelTracestate]: tp.tracestate } : {}),
        [ENV.otelEndpoint]: `unix://${IN_BOX.otlpSocket}`,
        [ENV.otlpEndpoint]: `http://127.0.0.1:${DEFAULT_OTLP_PORT}`,
        [ENV.otlpHeaders]: `${BOX_AUTH_HEADER}=${token}`,
      };
      this.ctx.store.registerBoxToken(box.boxId, token);
      const binds = [`${this.ctx.paths.runDir}:${IN_BOX.runDir}`];
      if (daemonPath) binds.push(`${daemonPath}:${IN_BOX.daemon}:ro`);
      const labels: Record<string, string> = {
        [LABEL.boxId]: box.boxId,
        [LABEL.traceId]: box.traceId!,
        [LABEL.name]: box.name,
        [LABEL.image]: req.image,
        [LABEL.managedBy]: 'true',
        'boxscope.daemon': daemonPath ? 'true' : 'false',
        // Which data dir launched it: lets tests and several app instances clean up only their own boxes.
        [HOME_LABEL]: this.ctx.paths.home,
        ...(box.imageDigest ? { 'boxscope.image.digest': box.imageDigest } : {}),
      };
      try {
        const c = await docker.createContainer({
          ...(req.name ? { name: req.name } : {}),
          Image: ref.canonical,
          Env: Object.entries(boxEnv).map(([k, v]) => `${k}=${v}`),
          Labels: labels,
          // On the host's network the app's own receiver holds 127.0.0.1:4318, so the daemon must not relay it.
          ...(daemonPath
            ? { Entrypoint: [IN_BOX.daemon, ...(req.network === 'host' ? ['--no-relay'] : []), '--', ...argv] }
            : {}),
          HostConfig: { NetworkMode: req.network || 'none', Binds: binds },
        });
        span.setAttribute(ATTR.containerId, c.id);
        return c;
      } catch (err) {
        if (statusCodeOf(err) === 409)
          throw new BoxscopeError(
            'INVALID_INPUT',
            `A container named "${req.name}" already exists: choose another --name`,
          );
        if (statusCodeOf(err) === 404 && /network/i.test(engineMessage(err)))
          throw new BoxscopeError('INVALID_INPUT', `Network "${req.network}" does not exist on the engine`);
        throw engineError(err, env, 'Create failed');
      }
    });
    box.containerId = container.id;
    box.daemon = !!daemonPath;
    box.state = 'starting';
    this.changed(box);

    if (daemonPath) await receiverP;
    const waitAc = new AbortController();
    let exited: Promise<number | undefined> = new Promise(() => undefined);
    try {
      await inSpan(tracer, SPAN.containerStart, parent, { ...base, [ATTR.containerId]: container.id }, async () => {
        try {
          await container.start();
        } catch (err) {
          throw engineError(err, env, 'Start failed');
        }
      });
      // `not-running` answers at once for a process that already ended, so no exit is missed between start and wait.
      exited = container.wait({ condition: 'not-running', abortSignal: waitAc.signal }).then(
        (r: { StatusCode?: number }) => r.StatusCode ?? 0,
        () => undefined,
      );
      // The grace runs from the start, alongside the wait for the daemon's boot, not after it.
      // Ends with the launch too, so a long BOXSCOPE_EXIT_GRACE_MS never holds a CLI open after an early exit.
      const graceOver = sleep(exitGrace(env), undefined, { signal: waitAc.signal }).catch(() => undefined);
      let exitCode: number | undefined;
      if (daemonPath) {
        exitCode = await inSpan(tracer, SPAN.daemonWait, parent, { ...base }, async (span) => {
          const boot = this.ctx.daemon.waitForBoot(box.boxId, box.traceId!, BOOT_TIMEOUT_MS, waitAc.signal);
          const r = await Promise.race([boot.then((b) => ({ boot: b })), exited.then((code) => ({ code }))]);
          if ('code' in r && r.code !== undefined) return r.code;
          if ('boot' in r && !r.boot) span.addEvent('no boot span');
          if ('boot' in r && r.boot) span.setAttribute('boxlite.daemon.boot_span_id', r.boot.spanId);
          return undefined;
        });
      }
      // A process that dies at once does so within a few ms of starting (after the daemon's boot, with it).
      if (exitCode === undefined) exitCode = await Promise.race([exited, graceOver]);
      if (exitCode !== undefined) {
        const tail = await this.logs(box.boxId, 5).catch(() => '');
        const lines = lastLines(tail, 5);
        throw new BoxscopeError(
          'BOX_EXITED',
          `Box ${box.name} exited at once with code ${exitCode}${lines.length ? `; last output: ${lines.join(' | ')}` : ' and printed nothing'}`,
          { exitCode, lastLines: lines },
        );
      }
    } finally {
      waitAc.abort();
    }
    box.state = 'running';
    this.changed(box);
    // An exit just after the grace may have been reported while the launch owned the state: apply it now.
    const died = this.diedDuringLaunch.get(box.boxId);
    this.diedDuringLaunch.delete(box.boxId);
    if (died) void this.onEngineEvent(died);
    return {
      boxId: box.boxId,
      containerId: container.id,
      image: req.image,
      imageDigest: box.imageDigest ?? '',
      traceId: box.traceId!,
      state: 'running',
      ...(warnings.length ? { warnings } : {}),
    };
  }

  private async explainPullFailure(
    err: unknown,
    ref: ImageRef,
    credential: Parameters<typeof authconfigFor>[0],
    insecure: boolean,
  ): Promise<BoxscopeError> {
    if (!(err instanceof PullFailed) && statusCodeOf(err) === undefined)
      return engineError(err, this.ctx.env, 'Pull failed');
    const engineSaid = engineMessage(err);
    const probe = await probeRegistry({
      registry: ref.registry,
      repository: ref.repository,
      reference: ref.digest ?? ref.tag,
      credential,
      insecure,
      env: this.ctx.env,
    });
    if (probe.outcome !== 'ok')
      return new BoxscopeError(outcomeCode(probe.outcome), probe.message, {
        registry: ref.registry,
        source: credential?.sourceDetail ?? 'none',
      });
    if (/manifest unknown|not found/i.test(engineSaid))
      return new BoxscopeError('MANIFEST_UNKNOWN', `Manifest unknown: ${ref.canonical} does not exist`, {
        registry: ref.registry,
      });
    return new BoxscopeError('INTERNAL', `Pull of ${ref.canonical} failed: ${engineSaid}`, { registry: ref.registry });
  }

  private async engineArch(): Promise<string> {
    if (!this.arch)
      this.arch = (
        await this.docker.version().catch((e) => {
          throw engineError(e, this.ctx.env);
        })
      ).Arch;
    return this.arch;
  }

  /** Every managed box the engine knows, plus boxes that failed before they had a container. */
  async list(): Promise<Box[]> {
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({ all: true, filters: { label: this.ownLabels() } });
    } catch (err) {
      throw engineError(err, this.ctx.env);
    }
    const notes = this.records.notes();
    const seen = new Set<string>();
    const out: Box[] = [];
    for (const c of containers) {
      const l = c.Labels ?? {};
      const boxId = l[LABEL.boxId];
      if (!boxId) continue;
      seen.add(boxId);
      const note = notes[boxId] ?? {};
      const live = this.boxes.get(boxId);
      const exitMatch = /Exited \((\d+)\)/.exec(c.Status ?? '');
      let state = stateOf({ Status: c.State }, !!note.stoppedByUser);
      if (note.reason && state !== 'running') state = 'failed';
      if (live && (live.state === 'starting' || live.state === 'stopping') && c.State === 'running') state = live.state;
      const box: Box = {
        boxId,
        name: l[LABEL.name] ?? c.Names?.[0]?.replace(/^\//, '') ?? boxId,
        image: l[LABEL.image] ?? c.Image,
        imageDigest: l['boxscope.image.digest'],
        containerId: c.Id,
        traceId: l[LABEL.traceId],
        state,
        ...(state === 'exited' || state === 'failed' || state === 'stopped'
          ? { exitCode: note.exitCode ?? (exitMatch ? Number(exitMatch[1]) : undefined) }
          : {}),
        ...(state === 'failed' ? { reason: note.reason ?? 'The box process ended badly' } : {}),
        createdAt: c.Created * 1000,
        daemon: l['boxscope.daemon'] === 'true',
      };
      if (box.exitCode === undefined) delete box.exitCode;
      out.push(box);
      this.boxes.set(boxId, box);
    }
    for (const b of this.records.orphans()) if (!seen.has(b.boxId)) out.push(b);
    for (const b of this.boxes.values())
      if (!seen.has(b.boxId) && !out.some((o) => o.boxId === b.boxId) && b.state !== 'removed' && !b.containerId)
        out.push(b);
    out.sort((a, b) => b.createdAt - a.createdAt);
    this.ensureWatching();
    return out;
  }

  /** BOX = box id, name, or container id prefix (at least 4 characters). */
  async find(idOrName: string): Promise<Box> {
    const key = (idOrName ?? '').trim();
    if (!key) throw new BoxscopeError('INVALID_INPUT', 'A box id, name or container id is required');
    const all = await this.list();
    const exact = all.find((b) => b.boxId === key || b.name === key || b.containerId === key);
    if (exact) return exact;
    const byPrefix =
      key.length >= 4 ? all.filter((b) => b.containerId?.startsWith(key) || b.boxId.startsWith(key)) : [];
    if (byPrefix.length === 1) return byPrefix[0];
    if (byPrefix.length > 1)
      throw new BoxscopeError('INVALID_INPUT', `"${key}" matches ${byPrefix.length} boxes: give more of the id`);
    throw new BoxscopeError('BOX_NOT_FOUND', `No box "${key}" (see boxscope boxes)`);
  }

  async stop(idOrName: string): Promise<void> {
    const box = await this.find(idOrName);
    if (!box.containerId) return;
    this.records.note(box.boxId, { stoppedByUser: true });
    box.state = 'stopping';
    this.changed(box);
    try {
      await this.docker.getContainer(box.containerId).stop({ t: 5 });
    } catch (err) {
      if (statusCodeOf(err) !== 304 && statusCodeOf(err) !== 404) throw engineError(err, this.ctx.env, 'Stop failed');
    }
    box.state = 'stopped';
    this.changed(box);
  }

  async remove(idOrName: string): Promise<void> {
    const box = await this.find(idOrName);
    if (box.containerId) {
      try {
        await this.docker.getContainer(box.containerId).remove({ force: true, v: true });
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw engineError(err, this.ctx.env, 'Remove failed');
      }
    }
    this.records.forget(box.boxId);
    box.state = 'removed';
    this.changed(box);
    this.boxes.delete(box.boxId);
  }

  async logs(idOrName: string, tail = 200): Promise<string> {
    const box = this.boxes.get(idOrName) ?? (await this.find(idOrName));
    if (!box.containerId) return box.reason ? `${box.reason}\n` : '';
    try {
      const buf = (await this.docker
        .getContainer(box.containerId)
        .logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)))
        .map((f) => f.text)
        .join('');
    } catch (err) {
      throw engineError(err, this.ctx.env, 'Logs failed');
    }
  }

  /**
   * Streams a box's log output to `onChunk` until the box stops or `signal`
   * aborts; resolves when following ends. Each follower has its own engine
   * stream, so followers never end each other's.
   */
  async followLogs(
    idOrName: string,
    opts: { tail?: number; signal: AbortSignal; onChunk: (c: LogChunk) => void },
  ): Promise<void> {
    const box = await this.find(idOrName);
    if (!box.containerId)
      throw new BoxscopeError('BOX_NOT_FOUND', `Box ${box.name} has no container (it failed before one was created)`);
    if (opts.signal.aborted) return;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    this.follows.add(ac);
    try {
      await this.streamLogs(box.boxId, box.containerId, ac.signal, opts);
    } finally {
      this.follows.delete(ac);
      opts.signal.removeEventListener('abort', onAbort);
    }
  }

  private async streamLogs(
    boxId: string,
    containerId: string,
    signal: AbortSignal,
    opts: { tail?: number; onChunk: (c: LogChunk) => void },
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getContainer(containerId).logs({
        stdout: true,
        stderr: true,
        follow: true,
        tail: opts.tail ?? 100,
        abortSignal: signal,
      } as never)) as unknown as NodeJS.ReadableStream;
    } catch (err) {
      if (signal.aborted) return;
      throw engineError(err, this.ctx.env, 'Logs failed');
    }
    const demux = new LogDemuxer();
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => {
        for (const f of demux.push(c)) opts.onChunk({ boxId, stream: f.stream, text: f.text });
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
  }

  /** Engine events keep states current; the stream never keeps a CLI process alive on its own. */
  ensureWatching(): void {
    if (this.watching) return;
    const ac = new AbortController();
    this.watching = ac;
    (
      this.docker.getEvents({
        filters: { type: ['container'], label: this.ownLabels() },
        abortSignal: ac.signal,
      } as never) as unknown as Promise<NodeJS.ReadableStream>
    )
      .then((stream) => {
        const s = stream as unknown as NodeJS.ReadableStream & { socket?: { unref(): void } };
        s.socket?.unref();
        let buf = '';
        s.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) void this.onEngineEvent(line);
          }
        });
        s.on('error', () => undefined);
        s.on('close', () => this.rewatch(ac));
      })
      .catch(() => this.rewatch(ac));
  }

  /** An engine restart ends the event stream: hosts that stay up reconnect, without keeping a CLI alive. */
  private rewatch(ac: AbortController): void {
    if (this.watching !== ac) return;
    this.watching = undefined;
    if (ac.signal.aborted || this.closed) return;
    const t = setTimeout(() => {
      if (!this.closed) this.ensureWatching();
    }, 2000);
    t.unref();
  }

  private async onEngineEvent(line: string): Promise<void> {
    let ev: { status?: string; Action?: string; id?: string; Actor?: { Attributes?: Record<string, string> } };
    try {
      ev = JSON.parse(line);
    } catch {
      return;
    }
    const action = ev.Action ?? ev.status ?? '';
    const boxId = ev.Actor?.Attributes?.[LABEL.boxId];
    if (!boxId || !['start', 'die', 'stop', 'destroy', 'pause', 'unpause', 'kill', 'create'].includes(action)) return;
    const known = this.boxes.get(boxId);
    // The launch itself reports its own transitions until it returns.
    if (known && ['creating', 'pulling', 'starting'].includes(known.state)) {
      if (action === 'die') this.diedDuringLaunch.set(boxId, line);
      return;
    }
    if (action === 'destroy') {
      this.diedDuringLaunch.delete(boxId);
      if (known && known.state !== 'removed') this.changed({ ...known, state: 'removed' });
      this.boxes.delete(boxId);
      return;
    }
    if (action === 'die') {
      const notes = this.records.notes()[boxId] ?? {};
      const code = Number(ev.Actor?.Attributes?.exitCode ?? NaN);
      const base: Box = known ?? {
        boxId,
        name: ev.Actor?.Attributes?.[LABEL.name] ?? boxId,
        image: ev.Actor?.Attributes?.[LABEL.image] ?? '',
        traceId: ev.Actor?.Attributes?.[LABEL.traceId],
        containerId: ev.id,
        state: 'exited',
        createdAt: Date.now(),
        daemon: ev.Actor?.Attributes?.['boxscope.daemon'] === 'true',
      };
      this.changed({
        ...base,
        state: notes.stoppedByUser ? 'stopped' : notes.reason ? 'failed' : 'exited',
        ...(Number.isFinite(code) ? { exitCode: code } : {}),
      });
      return;
    }
    if (action === 'start' && known)
      this.changed({ ...known, state: 'running', exitCode: undefined, reason: undefined });
  }

  close(): void {
    this.closed = true;
    this.watching?.abort();
    for (const a of this.follows.values()) a.abort();
    for (const a of this.pending.values()) a.abort();
  }
}

/** The digest the registry knows this image by (RepoDigests), else the local image id. */
export function digestOf(info: Docker.ImageInspectInfo, ref: ImageRef): string {
  const digests = info.RepoDigests ?? [];
  const names = new Set([ref.canonical.replace(/[:@].*$/, ''), `${ref.registry}/${ref.repository}`]);
  if (ref.registry === 'docker.io') {
    names.add(ref.repository);
    names.add(ref.repository.replace(/^library\//, ''));
  }
  const hit = digests.find((d) => names.has(d.slice(0, d.indexOf('@'))));
  const pick = hit ?? digests[0];
  return pick ? pick.slice(pick.indexOf('@') + 1) : info.Id;
}
