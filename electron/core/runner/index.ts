/**
 * The runner: launches boxes on the engine (launch-steps.ts), keeps their
 * list in step with the engine's labels and events (box-state.ts,
 * engine-events.ts), and reports everything as spans of one trace.
 */
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import type Docker from 'dockerode';
import { ATTR, LABEL, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LaunchRequest, LaunchResult, LogChunk } from '../../../shared/models.js';
import type { Credentials } from '../credentials/index.js';
import type { EngineEvent } from '../docker/engine-api.js';
import { connectEngine, engineError, statusCodeOf } from '../docker/engine.js';
import { LogFollows, readLogs } from './box-logs.js';
import { checkRequest, DAEMON_LABEL, DIGEST_LABEL, generatedName, newBoxId, ownLabels, specOf } from './box-spec.js';
import { boxState } from './box-state.js';
import { EngineWatch } from './engine-events.js';
import { reconcile } from './reconcile.js';
import { launchSteps, type RunnerContext } from './launch-steps.js';
import { checkStartable, startAgain, stopContainer, stopTimeout } from './lifecycle.js';
import { BoxRecords, type BoxNote } from './records.js';
import { failSpan, parentContext } from './tracing.js';

export { checkEnv, HOME_LABEL, newBoxId } from './box-spec.js';
export { digestOf } from './digest.js';
export type { RunnerContext } from './launch-steps.js';
export { INTERRUPTED_SPAN } from './reconcile.js';

const EVENT_ACTIONS = ['start', 'die', 'stop', 'destroy', 'pause', 'unpause', 'kill', 'create'];

export class Runner {
  private readonly boxes = new Map<string, Box>();
  /** Launches in flight, aborted when the runner closes. */
  private readonly pending = new Set<AbortController>();
  /** Engine `die` events that arrived while a launch still owned its box's state, replayed once it returns. */
  private readonly diedDuringLaunch = new Map<string, EngineEvent>();
  /** When this process last started each box again (ms): an engine `die` from before belongs to the run it ended. */
  private readonly lastStart = new Map<string, number>();
  private readonly records: BoxRecords;
  /** Boxes whose launch runs in this process. */
  private readonly launching = new Set<string>();
  private readonly follows: LogFollows;
  private readonly watch: EngineWatch;
  private arch?: string;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly credentials: Credentials,
  ) {
    this.records = new BoxRecords(ctx.paths.home);
    this.follows = new LogFollows(ctx.env);
    this.watch = new EngineWatch(
      () => this.docker,
      ownLabels(ctx.paths.home),
      (ev) => this.onEngineEvent(ev),
      () => void this.list().catch(() => undefined),
    );
  }

  private get docker(): Docker {
    return connectEngine(this.ctx.env);
  }

  private changed(box: Box): void {
    this.boxes.set(box.boxId, box);
    this.ctx.events.emit('boxes:changed', { ...box });
  }

  /** `opts.signal` (the caller's cancel) aborts the launch down to the engine: pull, create, the daemon wait. */
  async launch(req: LaunchRequest, opts: { signal?: AbortSignal } = {}): Promise<LaunchResult> {
    const checked = checkRequest(req);
    const { ref } = checked;
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
      name: req.name || generatedName(ref, boxId),
      image: req.image,
      spec: specOf(req),
      traceId,
      state: 'creating',
      createdAt: Date.now(),
      daemon: checked.wantDaemon,
    };
    this.changed(box);
    // Written before anything is asked of the engine: a launch killed in pull or create leaves this record.
    this.records.addOrphan(
      { ...box },
      { launchPid: process.pid, parentSpanId: trace.getSpanContext(parent)!.spanId, spec: box.spec },
    );
    this.launching.add(boxId);
    const ac = new AbortController();
    const signal = opts.signal ? AbortSignal.any([ac.signal, opts.signal]) : ac.signal;
    this.pending.add(ac);
    try {
      const result = await launchSteps({
        ctx: this.ctx,
        credentials: this.credentials,
        docker: this.docker,
        req,
        checked,
        box,
        parent,
        signal,
        warnings,
        changed: (b) => this.changed(b),
        engineArch: () => this.engineArch(),
        logs: (id, tail) => this.logs(id, tail),
        onCreated: () => this.records.dropOrphan(boxId, box),
      });
      this.records.note(boxId, { launchPid: undefined });
      root?.setAttribute(ATTR.containerId, result.containerId);
      root?.end();
      // An exit just after the grace may have been reported while the launch owned the state: apply it now.
      const died = this.diedDuringLaunch.get(boxId);
      this.diedDuringLaunch.delete(boxId);
      if (died) this.onEngineEvent(died);
      return result;
    } catch (err) {
      let e = engineError(err, this.ctx.env, 'Launch failed');
      // A failed launch returns no warnings: a 401 carries the ones about its registry (e.g. GHCR_TOKEN unset) itself.
      const why = warnings.filter((w) => w.includes(ref.registry));
      if (e.code === 'REGISTRY_UNAUTHORIZED' && why.length)
        e = new BoxscopeError(e.code, `${e.message} (${why.join('; ')})`, e.details);
      // A process that ended during its launch is `exited` (its code and last lines in the reason), not `failed`.
      const exitedAtLaunch = e.code === 'BOX_EXITED';
      box.state = exitedAtLaunch ? 'exited' : 'failed';
      box.reason = e.message;
      if (e.details && typeof e.details.exitCode === 'number') box.exitCode = e.details.exitCode;
      if (box.containerId)
        this.records.note(boxId, {
          launchPid: undefined,
          reason: e.message,
          exitCode: box.exitCode,
          ...(exitedAtLaunch ? { exitedAtLaunch } : {}),
        });
      else this.records.addOrphan({ ...box });
      this.changed(box);
      if (root) {
        failSpan(root, e);
        root.end();
      }
      throw new BoxscopeError(e.code, e.message, { ...e.details, boxId, traceId });
    } finally {
      this.launching.delete(boxId);
      this.pending.delete(ac);
    }
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
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: ownLabels(this.ctx.paths.home) },
      });
    } catch (err) {
      throw engineError(err, this.ctx.env);
    }
    reconcile(containers, this.records, this.launching, this.ctx.tracer);
    const notes = this.records.notes();
    const seen = new Set<string>();
    const out: Box[] = [];
    for (const c of containers) {
      const l = c.Labels ?? {};
      const boxId = l[LABEL.boxId];
      if (!boxId) continue;
      seen.add(boxId);
      const exitMatch = /Exited \((\d+)\)/.exec(c.Status ?? '');
      // Only a transition this process makes holds over the engine's word (not a state an earlier list read).
      const live = this.boxes.get(boxId)?.state;
      const view = boxState(
        { status: c.State, exitCode: exitMatch ? Number(exitMatch[1]) : undefined },
        notes[boxId] ?? {},
        this.launching.has(boxId) || live === 'stopping' ? live : undefined,
      );
      const box: Box = {
        boxId,
        name: l[LABEL.name] ?? c.Names?.[0]?.replace(/^\//, '') ?? boxId,
        image: l[LABEL.image] ?? c.Image,
        imageDigest: l[DIGEST_LABEL],
        containerId: c.Id,
        traceId: l[LABEL.traceId],
        ...view,
        createdAt: c.Created * 1000,
        daemon: l[DAEMON_LABEL] === 'true',
        ...(notes[boxId]?.spec ? { spec: notes[boxId].spec } : {}),
        ...startsOf(notes[boxId]),
      };
      out.push(box);
      this.boxes.set(boxId, box);
    }
    for (const b of this.records.orphans()) if (!seen.has(b.boxId)) out.push(b);
    // Launched here, container gone, not removed here: removed outside Boxscope (kept with its trace).
    for (const b of this.records.launched())
      if (!seen.has(b.boxId) && !this.launching.has(b.boxId) && !notes[b.boxId]?.removing) {
        const tomb = removedOutside(b, notes[b.boxId]);
        out.push(tomb);
        this.boxes.set(b.boxId, tomb);
        seen.add(b.boxId);
      }
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

  /** `timeout`: seconds between SIGTERM and SIGKILL (default 5). */
  async stop(idOrName: string, timeout?: number): Promise<void> {
    const box = await this.find(idOrName);
    if (!box.containerId || box.state === 'removed-outside') return;
    this.records.note(box.boxId, { stoppedByUser: true });
    box.state = 'stopping';
    this.changed(box);
    await stopContainer(this.docker.getContainer(box.containerId), stopTimeout(timeout), this.ctx.env);
    box.state = 'stopped';
    this.changed(box);
  }

  /** boxes:start (a stopped or exited box) and boxes:restart: a new trace each time (lifecycle.ts). */
  async start(idOrName: string, opts: { restart?: boolean; timeout?: number } = {}): Promise<Box> {
    const box = await this.find(idOrName);
    checkStartable(box, !!opts.restart);
    if (this.launching.has(box.boxId))
      throw new BoxscopeError('INVALID_INPUT', `Box ${box.name} is already being started`);
    this.launching.add(box.boxId);
    try {
      return await startAgain({
        ctx: this.ctx,
        docker: this.docker,
        box,
        records: this.records,
        restart: !!opts.restart,
        timeout: opts.timeout,
        changed: (b) => this.changed(b),
        logs: (id, tail) => this.logs(id, tail),
        onContainerStart: () => this.lastStart.set(box.boxId, Date.now()),
      });
    } finally {
      this.launching.delete(box.boxId);
      // A die the engine reported during the start: replayed unless it was the restart's own stop.
      const died = this.diedDuringLaunch.get(box.boxId);
      this.diedDuringLaunch.delete(box.boxId);
      if (died && this.boxes.get(box.boxId)?.state === 'running') this.onEngineEvent(died);
    }
  }

  async remove(idOrName: string): Promise<void> {
    const box = await this.find(idOrName);
    // Any process sharing this data dir that sees the container go reads it as removed here, not outside.
    this.records.note(box.boxId, { removing: true });
    if (box.containerId) {
      try {
        await this.docker.getContainer(box.containerId).remove({ force: true, v: true });
      } catch (err) {
        if (statusCodeOf(err) !== 404) {
          this.records.note(box.boxId, { removing: undefined });
          throw engineError(err, this.ctx.env, 'Remove failed');
        }
      }
    }
    this.records.forget(box.boxId);
    this.ctx.store.revokeBoxTokens(box.boxId);
    await this.ctx.daemon.releaseBox(box.boxId).catch(() => undefined);
    box.state = 'removed';
    this.changed(box);
    this.boxes.delete(box.boxId);
  }

  async logs(idOrName: string, tail = 200): Promise<string> {
    const box = this.boxes.get(idOrName) ?? (await this.find(idOrName));
    return readLogs(this.docker, box, tail, this.ctx.env);
  }

  /** Streams a box's output to `onChunk` until the box ends or `signal` aborts; resolves when following ends. */
  async followLogs(
    idOrName: string,
    opts: { tail?: number; timestamps?: boolean; signal: AbortSignal; onChunk: (c: LogChunk) => void },
  ): Promise<void> {
    const box = await this.find(idOrName);
    return this.follows.follow(this.docker, box, opts);
  }

  /** Engine events keep states current; the stream never keeps a CLI process alive on its own. */
  ensureWatching(): void {
    this.watch.ensure();
  }

  private onEngineEvent(ev: EngineEvent): void {
    const action = ev.Action ?? ev.status ?? '';
    const attrs = ev.Actor?.Attributes ?? {};
    const boxId = attrs[LABEL.boxId];
    if (!boxId || !EVENT_ACTIONS.includes(action)) return;
    const known = this.boxes.get(boxId);
    // The launch (or start) in this process reports its own transitions until it returns. (Not the
    // state: the engine's `restarting` reads as starting, and its restart policy's events must count.)
    if (this.launching.has(boxId)) {
      if (action === 'die') this.diedDuringLaunch.set(boxId, ev);
      return;
    }
    if (action === 'destroy') {
      this.diedDuringLaunch.delete(boxId);
      const record = this.records.launched().find((b) => b.boxId === boxId);
      const note = this.records.notes()[boxId];
      if (record && !note?.removing) {
        this.changed(removedOutside({ ...record, ...known }, note));
        return;
      }
      if (known && known.state !== 'removed') this.changed({ ...known, state: 'removed' });
      this.boxes.delete(boxId);
      return;
    }
    if (action === 'die') {
      // The end of a run before the latest start (a restart's own stop, reported late): not this run's.
      const startedAt = this.lastStart.get(boxId);
      if (startedAt !== undefined && ev.timeNano !== undefined && ev.timeNano / 1e6 < startedAt) return;
      const code = Number(attrs.exitCode ?? NaN);
      const note = this.records.notes()[boxId];
      const base: Box = known ?? {
        boxId,
        name: attrs[LABEL.name] ?? boxId,
        image: attrs[LABEL.image] ?? '',
        traceId: attrs[LABEL.traceId],
        containerId: ev.id,
        state: 'exited',
        createdAt: Date.now(),
        daemon: attrs[DAEMON_LABEL] === 'true',
        spec: note?.spec,
      };
      const { exitCode: _e, reason: _r, killedOutside: _k, ...rest } = base;
      const view = boxState({ status: 'exited', exitCode: Number.isFinite(code) ? code : undefined }, note ?? {});
      this.changed({ ...rest, ...view });
      return;
    }
    if (action === 'start' && known) {
      this.changed({ ...known, state: 'running', exitCode: undefined, reason: undefined, killedOutside: undefined });
      if (ev.id) void this.countEngineRestarts(boxId, ev.id);
    }
  }

  /** A start this process did not ask for: the engine's restart policy (its RestartCount says how many). */
  private async countEngineRestarts(boxId: string, containerId: string): Promise<void> {
    const info = await this.docker
      .getContainer(containerId)
      .inspect()
      .catch(() => undefined);
    const n = info?.RestartCount ?? 0;
    const note = this.records.notes()[boxId];
    if (!note || n === (note.engineRestarts ?? 0)) return;
    this.records.note(boxId, { engineRestarts: n });
    const known = this.boxes.get(boxId);
    if (known) this.changed({ ...known, ...startsOf({ ...note, engineRestarts: n }) });
  }

  close(): void {
    this.watch.close();
    this.follows.close();
    for (const a of this.pending) a.abort();
  }
}

/** The trace of a box's latest start and its count, from its note. */
function startsOf(note: BoxNote | undefined): Pick<Box, 'lastTraceId' | 'restartCount'> {
  const restarts = (note?.restartCount ?? 0) + (note?.engineRestarts ?? 0);
  return {
    ...(note?.lastTraceId ? { lastTraceId: note.lastTraceId } : {}),
    ...(restarts ? { restartCount: restarts } : {}),
  };
}

/** The tombstone of a box whose container was removed outside Boxscope: kept, with its traces, until removed here. */
function removedOutside(b: Box, note: BoxNote | undefined): Box {
  const { exitCode: _e, killedOutside: _k, ...rest } = b;
  return { ...rest, ...startsOf(note), state: 'removed-outside', reason: 'removed outside Boxscope' };
}
