/**
 * The steps of one launch, each a span of the launch's trace: registry auth
 * → image pull → container create → start → (with the daemon) its boot.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace, type Context } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LaunchRequest, LaunchResult, SpanRecord } from '../../../shared/models.js';
import type { CoreContext } from '../contracts.js';
import { makeBoxRunDir } from '../config.js';
import { authconfigFor, type Credentials } from '../credentials/index.js';
import { waitNotRunning } from '../docker/engine-api.js';
import { engineError, engineMessage, statusCodeOf } from '../docker/engine.js';
import {
  boxArgv,
  boxEnv,
  boxLabels,
  boxMounts,
  daemonEntrypoint,
  generatedName,
  userOptions,
  type CheckedRequest,
} from './box-spec.js';
import { digestOf } from './digest.js';
import { lastLines } from './logs.js';
import { pullImage } from './pull.js';
import { explainPullFailure } from './pull-failure.js';
import { failSpan, injectFrom, inSpan } from './tracing.js';
import { writeTraceparentFile } from './traceparent-file.js';

export type RunnerContext = Pick<CoreContext, 'paths' | 'env' | 'events' | 'log' | 'tracer' | 'store' | 'daemon'>;

/**
 * How long a started box gets to show that its process died at once (issue 10; docs/CONTRACTS.md,
 * BOXSCOPE_EXIT_GRACE_MS). A shell's `exit 3` ends within a few ms of its start, but the engine reports it
 * only after the start call has returned and it has torn the task down: measured here (20 launches
 * of `sh -c 'exit 3'` at load averages 2 to 7), that report came 3 to 66 ms after `start` returned,
 * never more than 0.23 of the time the start call itself took, as both grow with the machine's load.
 * So the window scales with this start's own duration: half of it, at least 50 ms and at most
 * 250 ms (the old fixed bound) — about 80 ms on an idle machine, where a fixed 250 ms made the
 * launch wait three times longer than the engine needs. A process that dies later is still caught by
 * the engine's events and shown as exited. With the daemon, its `process.exit` span (sent before
 * the daemon itself exits) ends the wait at once, and its boot span ends it too: the daemon sends
 * the boot only after its child has lived 30 ms, or with the child's exit and
 * `boxlite.process.exited_at_once` (daemon/main.go). BOXSCOPE_EXIT_GRACE_MS sets a fixed bound
 * instead (longer on slow machines, 0 to skip the wait).
 */
const EXIT_GRACE_MIN_MS = 50;
const EXIT_GRACE_MAX_MS = 250;
const EXIT_GRACE_SHARE_OF_START = 0.5;
const BOOT_TIMEOUT_MS = 5000;
/** The instrumentation scope of the daemon in daemon/ (main.go). */
const DAEMON_SCOPE = 'boxscope/daemon';

/** The exit-at-once window after a start call that took `startMs` (see above). */
export function exitGrace(env: NodeJS.ProcessEnv, startMs: number): number {
  const n = Number(env.BOXSCOPE_EXIT_GRACE_MS);
  if (env.BOXSCOPE_EXIT_GRACE_MS && Number.isFinite(n) && n >= 0) return n;
  return Math.round(Math.min(EXIT_GRACE_MAX_MS, Math.max(EXIT_GRACE_MIN_MS, startMs * EXIT_GRACE_SHARE_OF_START)));
}

/** A boot span from the daemon this app mounts (it settles its child before booting); other daemons get the grace. */
function isOwnDaemon(boot: SpanRecord): boolean {
  return boot.scope?.name === DAEMON_SCOPE;
}

/** Everything one launch needs, passed as one object. */
export interface LaunchContext {
  ctx: RunnerContext;
  credentials: Credentials;
  docker: Docker;
  req: LaunchRequest;
  checked: CheckedRequest;
  box: Box;
  /** The span the launch's spans are children of. */
  parent: Context;
  signal: AbortSignal;
  /** Filled as the launch goes; returned with the result. */
  warnings: string[];
  /** Reports a state change of `box`. */
  changed(box: Box): void;
  engineArch(): Promise<string>;
  /** The container exists: from now on the engine lists the box. */
  onCreated(): void;
  /** The box's last output lines, for an early exit's message. */
  logs(boxId: string, tail: number): Promise<string>;
}

export async function launchSteps(l: LaunchContext): Promise<LaunchResult> {
  const { req, box, parent, signal, warnings, credentials, docker } = l;
  const { ref, policy, wantDaemon } = l.checked;
  const base = { [ATTR.boxId]: box.boxId };
  const { tracer, env } = l.ctx;
  // Started before create and awaited before start; settled on every path, so a failed launch
  // never leaves a receiver coming up after the core has closed (which kept a CLI alive).
  let receiverP: Promise<void> = Promise.resolve();
  try {
    return await steps();
  } catch (err) {
    await receiverP.catch(() => undefined);
    throw err;
  }

  async function steps(): Promise<LaunchResult> {
    const image = docker.getImage(ref.canonical);
    // Independent engine and host work starts now and is awaited where needed, so a cached launch pays for it once.
    const archP = wantDaemon ? l.engineArch().catch(() => undefined) : Promise.resolve(undefined);
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
        const r = await credentials.resolve(ref);
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
          l.changed(box);
          const requestId = req.requestId ?? box.boxId;
          try {
            const snap = await pullImage(docker, ref.canonical, {
              authconfig: authconfigFor(auth?.credential, ref),
              signal,
              onProgress: (s) =>
                l.ctx.events.emit('pull:progress', {
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
            l.ctx.events.emit('pull:progress', {
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
            throw await explainPullFailure(err, ref, auth?.credential, !!auth?.insecure, env);
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
    const argv = boxArgv(req, imageConfig);
    let daemonPath: string | undefined;
    if (wantDaemon) {
      const arch = await archP;
      daemonPath = arch ? l.ctx.daemon.binaryPath(arch) : undefined;
      if (!daemonPath)
        warnings.push(
          'The in-box daemon is not built (npm run build:daemon): launched without it, so no sandbox.boot span',
        );
    }
    if (!argv.length)
      throw new BoxscopeError('INVALID_INPUT', `Image ${req.image} has no entrypoint or command to run`);

    if (signal.aborted) throw new BoxscopeError('CANCELLED', `Launch of ${req.image} cancelled`);
    makeBoxRunDir(l.ctx.paths, box.boxId);
    receiverP = daemonPath ? l.ctx.daemon.ensureReceiver(box.boxId) : Promise.resolve();
    receiverP.catch(() => undefined);
    const token = crypto.randomBytes(24).toString('hex');
    const container = await inSpan(tracer, SPAN.containerCreate, parent, { ...base }, async (span, spanCtx) => {
      const tp = injectFrom(spanCtx);
      l.ctx.store.registerBoxToken(box.boxId, token, box.traceId!);
      const user = userOptions(req);
      // Without the daemon the engine applies the overrides itself (`['']` is how it spells "no entrypoint").
      const overrides = daemonPath
        ? { Entrypoint: daemonEntrypoint(argv, req.network), Cmd: [] }
        : {
            ...(req.entrypoint ? { Entrypoint: req.entrypoint.length ? req.entrypoint : [''] } : {}),
            ...(req.cmd ? { Cmd: req.cmd } : {}),
          };
      // The container is named after the box, so `docker ps` and the app agree; a generated name that
      // clashes with another container gets a fresh suffix.
      for (let attempt = 0; ; attempt++) {
        try {
          const c = await docker.createContainer({
            name: box.name,
            Image: ref.canonical,
            Env: boxEnv(req, box.boxId, tp, token),
            Labels: boxLabels(box, l.ctx.paths.home, !!daemonPath, req.labels),
            ...overrides,
            ...user.config,
            HostConfig: {
              NetworkMode: req.network || 'none',
              Binds: boxMounts(l.ctx.paths, box.boxId, daemonPath),
              ...user.host,
            },
          });
          span.setAttribute(ATTR.containerId, c.id);
          return c;
        } catch (err) {
          if (statusCodeOf(err) === 409 && !req.name && attempt < 4) {
            box.name = generatedName(ref);
            continue;
          }
          if (statusCodeOf(err) === 409)
            throw new BoxscopeError(
              'INVALID_INPUT',
              `A container named "${box.name}" already exists: choose another --name`,
            );
          if (statusCodeOf(err) === 404 && /network/i.test(engineMessage(err)))
            throw new BoxscopeError('INVALID_INPUT', `Network "${req.network}" does not exist on the engine`);
          throw engineError(err, env, 'Create failed');
        }
      }
    });
    box.containerId = container.id;
    box.daemon = !!daemonPath;
    box.state = 'starting';
    l.changed(box);
    l.onCreated();
    await testHoldAfterCreate(env);

    if (daemonPath) await receiverP;
    await startSettled({
      ctx: l.ctx,
      container,
      box,
      traceId: box.traceId!,
      parent,
      daemon: !!daemonPath,
      logs: l.logs,
    });
    box.state = 'running';
    l.changed(box);
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
}

/** What one start of a box's container needs (the launch's, and each boxes:start / restart's). */
export interface StartStep {
  ctx: RunnerContext;
  container: Docker.Container;
  box: Box;
  /** The trace this start's spans (and the daemon's boot) belong to. */
  traceId: string;
  /** The span `container.start` and `daemon.wait` are children of. */
  parent: Context;
  daemon: boolean;
  logs(boxId: string, tail: number): Promise<string>;
}

/**
 * Starts the container and waits for it to settle: with the daemon,
 * `daemon.wait` opens BEFORE `container.start` and its context is written to
 * the box's traceparent file, so the daemon's `sandbox.boot` is its child and
 * lies within it in time. A process that ends at once throws `BOX_EXITED`
 * (its code and last lines in the message).
 */
export async function startSettled(s: StartStep): Promise<void> {
  const { box, container, parent, traceId } = s;
  const { tracer, env } = s.ctx;
  const base = { [ATTR.boxId]: box.boxId };
  const waitAc = new AbortController();
  const waitSpan = s.daemon ? tracer.startSpan(SPAN.daemonWait, { attributes: { ...base } }, parent) : undefined;
  let waitEnded = false;
  const endWait = () => {
    if (waitSpan && !waitEnded) waitSpan.end();
    waitEnded = true;
  };
  try {
    if (waitSpan) writeTraceparentFile(s.ctx.paths, box.boxId, trace.setSpan(parent, waitSpan));
    const startedAt = performance.now();
    await inSpan(tracer, SPAN.containerStart, parent, { ...base, [ATTR.containerId]: container.id }, async () => {
      try {
        await container.start();
      } catch (err) {
        throw engineError(err, env, 'Start failed');
      }
    });
    const startMs = performance.now() - startedAt;
    // `not-running` answers at once for a process that already ended, so no exit is missed between start and wait.
    const engineSaid = waitNotRunning(container, waitAc.signal).then(
      (code) => code,
      () => undefined,
    );
    const exited = waitSpan
      ? Promise.race([engineSaid, daemonReportedExit(s.ctx.store, box.boxId, traceId, waitAc.signal)])
      : engineSaid;
    // The grace runs from the start, alongside the wait for the daemon's boot, not after it.
    // Ends with the launch too, so a long BOXSCOPE_EXIT_GRACE_MS never holds a CLI open after an early exit.
    const graceOver = sleep(exitGrace(env, startMs), undefined, { signal: waitAc.signal }).catch(() => undefined);
    let exitCode: number | undefined;
    let settled = false;
    if (waitSpan) {
      const span = waitSpan;
      const boot = s.ctx.daemon.waitForBoot(box.boxId, traceId, BOOT_TIMEOUT_MS, waitAc.signal);
      const r = await Promise.race([boot.then((b) => ({ boot: b })), exited.then((code) => ({ code }))]);
      if ('code' in r && r.code !== undefined) exitCode = r.code;
      else if ('boot' in r && !r.boot) span.addEvent('no boot span');
      else if ('boot' in r && r.boot) {
        span.setAttribute('boxlite.daemon.boot_span_id', r.boot.spanId);
        // Our daemon sends the boot only once its child has lived through its first moments, or
        // together with the child's exit (and says so): no engine verdict to wait for.
        if (r.boot.attributes[ATTR.exitedAtOnce] === true) exitCode = (await exited) ?? 0;
        else settled = isOwnDaemon(r.boot);
      }
      endWait();
    }
    // A process that dies at once does so within a few ms of starting (after the daemon's boot, with it).
    if (exitCode === undefined && !settled) exitCode = await Promise.race([exited, graceOver]);
    if (exitCode !== undefined) {
      const tail = await s.logs(box.boxId, 5).catch(() => '');
      const lines = lastLines(tail, 5);
      throw new BoxscopeError(
        'BOX_EXITED',
        `Box ${box.name} exited at once with code ${exitCode}${lines.length ? `; last output: ${lines.join(' | ')}` : ' and printed nothing'}`,
        { exitCode, lastLines: lines },
      );
    }
  } catch (err) {
    if (waitSpan && !waitEnded) failSpan(waitSpan, err);
    throw err;
  } finally {
    endWait();
    waitAc.abort();
  }
}

/** The daemon's `process.exit` span for this box: its child's exit code, known before the engine's verdict. */
function daemonReportedExit(
  store: RunnerContext['store'],
  boxId: string,
  traceId: string,
  signal: AbortSignal,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const off = store.subscribe((tid, spans) => {
      if (tid !== traceId) return;
      const exit = spans.find(
        (s) => s.name === 'process.exit' && (s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId]) === boxId,
      );
      const code = Number(exit?.attributes['process.exit.code']);
      if (exit && Number.isFinite(code)) {
        off();
        resolve(code);
      }
    });
    signal.addEventListener(
      'abort',
      () => {
        off();
        resolve(undefined);
      },
      { once: true },
    );
  });
}

/**
 * Test-only, off unless set: holds a launch between create and start for this
 * many ms, so a test can kill the launching process there.
 */
async function testHoldAfterCreate(env: NodeJS.ProcessEnv): Promise<void> {
  const ms = Number(env.BOXSCOPE_TEST_HOLD_AFTER_CREATE_MS);
  if (ms > 0) await sleep(ms);
}
