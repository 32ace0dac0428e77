import type {
  ApiChannels,
  ArgOf,
  BoxscopeApi,
  CallOptions,
  CancelSignal,
  Channel,
  ItemOf,
  ListenHandlers,
  ResultOf,
  StreamArgOf,
  StreamName,
} from '../../shared/api.js';
import { BoxscopeError } from '../../shared/errors.js';
import { parseQuery, spanMatches } from '../../shared/trace-query.js';
import { ColumnWriter, columnInputOf, type ColumnPhase } from '../../shared/trace-columns.js';
import type {
  AppInfo,
  Box,
  CredentialInfo,
  EngineContexts,
  EngineStatus,
  SecretStoreStatus,
  SpanRecord,
  TraceSource,
  TraceSummary,
} from '../../shared/models.js';

export interface FakeData {
  info: AppInfo;
  engine: EngineStatus;
  contexts?: EngineContexts;
  boxes: Box[];
  creds: CredentialInfo[];
  store: SecretStoreStatus;
  traces: Record<string, SpanRecord[]>;
  summaries: TraceSummary[];
  logs: Record<string, string>;
  sources?: TraceSource[];
}

type Handler<C extends Channel> = (arg: ArgOf<C>, opts: CallOptions) => ResultOf<C> | Promise<ResultOf<C>>;
export type Handlers = { [C in Channel]?: Handler<C> };

function encode(
  traceId: string,
  spans: readonly SpanRecord[],
  phase: ColumnPhase,
  extra: { storedDone?: boolean; storedTotal?: number } = {},
): ArrayBuffer {
  const w = new ColumnWriter(traceId, phase);
  for (const s of spans) w.add(columnInputOf(s));
  return w.finish(extra).buffer;
}

export function emptyData(): FakeData {
  return {
    info: { version: '0.1.0', home: '/tmp/boxscope', host: 'browser' },
    engine: { reachable: true, endpoint: 'unix:///var/run/docker.sock', version: '20.10.24' },
    boxes: [],
    creds: [],
    store: { backend: 'pass', secure: true },
    traces: {},
    summaries: [],
    logs: {},
  };
}

/**
 * A BoxscopeApi with the exact channel and stream types of shared/api.ts,
 * backed by plain data. Tests override single channels through `handlers`
 * and push stream items with `emit`; every call and listen is recorded.
 */
export class FakeApi implements BoxscopeApi {
  readonly calls: Array<{ channel: Channel; arg: unknown; signal?: CancelSignal }> = [];
  readonly listens: Array<{ stream: StreamName; arg: unknown }> = [];
  readonly handlers: Handlers = {};
  /** Spans per stored column batch served by `traces:columns`. */
  columnBatchSize = 1000;
  /** When false, `traces:columns` sends nothing by itself: the test emits every batch. */
  serveStoredColumns = true;
  private readonly listeners = new Map<StreamName, Set<{ arg: unknown; h: ListenHandlers<unknown> }>>();

  constructor(readonly data: FakeData = emptyData()) {}

  call<C extends Channel>(channel: C, ...[arg, opts]: [arg?: ArgOf<C>, opts?: CallOptions]): Promise<ResultOf<C>> {
    this.calls.push({ channel, arg, signal: opts?.signal });
    const custom = this.handlers[channel] as Handler<C> | undefined;
    try {
      const out = (custom ?? (this.defaults[channel] as unknown as Handler<C>))(arg as ArgOf<C>, opts ?? {});
      return Promise.resolve(out);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  listen<S extends StreamName>(
    stream: S,
    arg: StreamArgOf<S>,
    handlers: ListenHandlers<ItemOf<S>> | ((item: ItemOf<S>) => void),
  ): () => void {
    this.listens.push({ stream, arg });
    let set = this.listeners.get(stream);
    if (!set) this.listeners.set(stream, (set = new Set()));
    const entry = {
      arg,
      h: (typeof handlers === 'function' ? { data: handlers } : handlers) as ListenHandlers<unknown>,
    };
    set.add(entry);
    if (stream === 'traces:columns' && this.serveStoredColumns) this.serveStored(entry);
    if (stream === 'logs:follow') this.serveLogTail(entry);
    return () => void set.delete(entry);
  }

  /**
   * `traces:columns` as the core serves it: what `data.traces` holds, in
   * stored batches, the last flagged storedDone (an empty one for an unknown
   * trace); live batches follow through `emitColumns`. Sent after the listen
   * returns, as a real stream's items are.
   */
  private serveStored(entry: { arg: unknown; h: ListenHandlers<unknown> }): void {
    const { traceId } = entry.arg as { traceId: string };
    const spans = this.data.traces[traceId] ?? [];
    const batches: ArrayBuffer[] = [];
    for (let at = 0; at === 0 || at < spans.length; at += this.columnBatchSize) {
      const part = spans.slice(at, at + this.columnBatchSize);
      const last = at + this.columnBatchSize >= spans.length;
      batches.push(encode(traceId, part, 'stored', last ? { storedDone: true, storedTotal: spans.length } : {}));
    }
    void Promise.resolve().then(() => {
      for (const b of batches) {
        if (!this.listeners.get('traces:columns')?.has(entry)) return;
        entry.h.data(b);
      }
    });
  }

  /** `logs:follow` with a tail first sends the box's recent output (`data.logs`), as the engine does. */
  private serveLogTail(entry: { arg: unknown; h: ListenHandlers<unknown> }): void {
    const { boxId, tail } = entry.arg as { boxId: string; tail?: number };
    const text = this.data.logs[boxId];
    if (!tail || !text) return;
    void Promise.resolve().then(() => {
      if (this.listeners.get('logs:follow')?.has(entry)) entry.h.data({ boxId, stream: 'stdout', text });
    });
  }

  /** Pushes spans as one column batch (live unless told) to the `traces:columns` listeners of their trace. */
  emitColumns(
    traceId: string,
    spans: readonly SpanRecord[],
    phase: ColumnPhase = 'live',
    extra: { storedDone?: boolean; storedTotal?: number } = {},
  ): void {
    const bytes = encode(traceId, spans, phase, extra);
    for (const { arg, h } of this.listeners.get('traces:columns') ?? []) {
      if ((arg as { traceId: string }).traceId === traceId) h.data(bytes);
    }
  }

  /** Pushes one column batch's bytes, encoded beforehand, to the `traces:columns` listeners of its trace. */
  emitColumnBytes(traceId: string, bytes: ArrayBuffer): void {
    for (const { arg, h } of this.listeners.get('traces:columns') ?? []) {
      if ((arg as { traceId: string }).traceId === traceId) h.data(bytes);
    }
  }

  /** Pushes an item to the listeners of a stream whose argument it matches (same boxId / traceId, as the core filters). */
  emit<S extends StreamName>(stream: S, item: ItemOf<S>): void {
    const it = item as { boxId?: unknown; traceId?: unknown };
    for (const { arg, h } of this.listeners.get(stream) ?? []) {
      const a = (arg ?? {}) as { boxId?: unknown; traceId?: unknown };
      if (a.boxId !== undefined && a.boxId !== it.boxId) continue;
      if (a.traceId !== undefined && a.traceId !== it.traceId) continue;
      h.data(item);
    }
  }

  /** How many listeners a stream has now (a disposed one no longer counts). */
  listenerCount(stream: StreamName): number {
    return this.listeners.get(stream)?.size ?? 0;
  }

  callsTo<C extends Channel>(channel: C): Array<ArgOf<C>> {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.arg as ArgOf<C>);
  }

  private readonly defaults: { [C in keyof ApiChannels]: Handler<C> } = {
    'app:info': () => this.data.info,
    'engine:status': () => this.data.engine,
    'engine:contexts': () =>
      this.data.contexts
        ? { ...this.data.contexts, current: this.data.engine.context ?? 'default' }
        : { current: 'default', source: 'default', contexts: [{ name: 'default', host: this.data.engine.endpoint }] },
    'engine:use': ({ context }) => {
      this.data.engine = { ...this.data.engine, context };
      return this.data.engine;
    },
    'boxes:list': () => this.data.boxes,
    'boxes:launch': (req) => {
      const boxId = `box-${this.data.boxes.length + 1}`;
      const traceId = (req.traceparent ?? '').split('-')[1] ?? 'f'.repeat(32);
      const box: Box = {
        boxId,
        name: req.name ?? boxId,
        image: req.image,
        state: 'running',
        createdAt: Date.now(),
        daemon: req.daemon !== false,
        traceId,
        spec: (({ traceparent: _tp, tracestate: _ts, requestId: _r, ...spec }) => spec)(req),
      };
      this.data.boxes.push(box);
      return {
        boxId,
        containerId: 'c'.repeat(64),
        image: req.image,
        imageDigest: 'sha256:' + '0'.repeat(64),
        traceId,
        state: 'running',
      };
    },
    'boxes:stop': ({ boxId }) => {
      const b = this.data.boxes.find((x) => x.boxId === boxId);
      if (!b) throw new BoxscopeError('BOX_NOT_FOUND', `No box ${boxId}`);
      b.state = 'stopped';
    },
    'boxes:remove': ({ boxId }) => {
      this.data.boxes = this.data.boxes.filter((x) => x.boxId !== boxId);
    },
    'boxes:logs': ({ boxId }) => this.data.logs[boxId] ?? '',
    'boxes:validate': () => [],
    'boxes:start': ({ boxId }) => {
      const b = this.data.boxes.find((x) => x.boxId === boxId);
      if (!b) throw new BoxscopeError('BOX_NOT_FOUND', `No box ${boxId}`);
      b.state = 'running';
      return { ...b };
    },
    'boxes:restart': ({ boxId }) => {
      const b = this.data.boxes.find((x) => x.boxId === boxId);
      if (!b) throw new BoxscopeError('BOX_NOT_FOUND', `No box ${boxId}`);
      b.state = 'running';
      b.restartCount = (b.restartCount ?? 0) + 1;
      return { ...b };
    },
    'boxes:inspect': ({ boxId }) => {
      const b = this.data.boxes.find((x) => x.boxId === boxId);
      if (!b) throw new BoxscopeError('BOX_NOT_FOUND', `No box ${boxId}`);
      return {
        boxId,
        containerId: b.containerId ?? 'c'.repeat(64),
        name: b.name,
        image: b.image,
        entrypoint: [],
        cmd: ['sh'],
        env: [],
        mounts: [],
        labels: {},
        network: 'none',
        ports: [],
        restartPolicy: 'no',
        restartCount: b.restartCount ?? 0,
        state: b.state,
      };
    },
    'boxes:execInput': () => undefined,
    'boxes:execResize': () => undefined,
    'registries:list': () => this.data.creds,
    'registries:save': (req) => {
      const info: CredentialInfo = {
        key: req.key,
        registry: req.key.split('/')[0],
        source: 'app',
        sourceDetail: this.data.store.backend,
        username: req.username,
        readOnly: false,
      };
      this.data.creds = [...this.data.creds.filter((c) => c.key !== req.key), info];
      return info;
    },
    'registries:remove': ({ key }) => {
      this.data.creds = this.data.creds.filter((c) => c.key !== key);
    },
    'registries:test': ({ key }) => ({
      registry: key.split('/')[0],
      outcome: 'ok',
      message: 'Signed in and listed the registry',
      source: 'app',
    }),
    'registries:forImage': ({ image }) => {
      const host = image.includes('/') && /[.:]/.test(image.split('/')[0]) ? image.split('/')[0] : 'docker.io';
      return this.data.creds.find((c) => image.startsWith(c.key) || c.registry === host) ?? null;
    },
    'registries:storeStatus': () => this.data.store,
    'traces:list': ({ boxId }) => this.data.summaries.filter((t) => !boxId || t.boxId === boxId),
    'traces:get': ({ traceId }) => {
      const spans = this.data.traces[traceId];
      if (!spans) throw new BoxscopeError('TRACE_NOT_FOUND', `No trace ${traceId}`);
      return spans;
    },
    'traces:span': ({ traceId, spanId }) => {
      const span = this.data.traces[traceId]?.find((s) => s.spanId === spanId);
      if (!span) throw new BoxscopeError('TRACE_NOT_FOUND', `No span ${spanId}`);
      return span;
    },
    'traces:search': ({ traceId, query }) => {
      const q = parseQuery(query);
      const spanIds = (this.data.traces[traceId] ?? []).filter((s) => spanMatches(s, q)).map((s) => s.spanId);
      return { spanIds, truncated: false };
    },
    'traces:export': ({ traceId }) => JSON.stringify({ resourceSpans: [], traceId }),
    'traces:import': () => ({ traceIds: [] }),
    'traces:recordUi': () => undefined,
    'traces:fetch': ({ traceId, from }) => {
      if (!this.data.traces[traceId]) throw new BoxscopeError('TRACE_NOT_FOUND', `Trace ${traceId} is not there`);
      return { traceIds: [traceId], spans: this.data.traces[traceId].length, source: from ?? 'any' };
    },
    'sources:list': () => [...(this.data.sources ?? [])],
    'sources:save': (s) => {
      const list = (this.data.sources ?? []).filter((x) => x.name !== s.name);
      this.data.sources = [...list, s];
      return [...this.data.sources];
    },
    'sources:remove': ({ name }) => {
      this.data.sources = (this.data.sources ?? []).filter((x) => x.name !== name);
      return [...this.data.sources];
    },
  };
}
