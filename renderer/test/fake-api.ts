import type { ApiChannels, ApiEvents, ArgOf, BoxscopeApi, Channel, EventName, ResultOf } from '../../shared/api.js';
import { BoxscopeError } from '../../shared/errors.js';
import type {
  AppInfo,
  Box,
  CredentialInfo,
  EngineStatus,
  SecretStoreStatus,
  SpanRecord,
  TraceSummary,
} from '../../shared/models.js';

export interface FakeData {
  info: AppInfo;
  engine: EngineStatus;
  boxes: Box[];
  creds: CredentialInfo[];
  store: SecretStoreStatus;
  traces: Record<string, SpanRecord[]>;
  summaries: TraceSummary[];
  logs: Record<string, string>;
}

type Handler<C extends Channel> = (arg: ArgOf<C>) => ResultOf<C> | Promise<ResultOf<C>>;
export type Handlers = { [C in Channel]?: Handler<C> };

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
 * A BoxscopeApi with the exact channel and event types of shared/api.ts,
 * backed by plain data. Tests override single channels through `handlers`
 * and push events with `emit`; every call is recorded.
 */
export class FakeApi implements BoxscopeApi {
  readonly calls: Array<{ channel: Channel; arg: unknown }> = [];
  readonly handlers: Handlers = {};
  private readonly listeners = new Map<EventName, Set<(p: unknown) => void>>();

  constructor(readonly data: FakeData = emptyData()) {}

  invoke<C extends Channel>(channel: C, ...rest: ArgOf<C> extends void ? [] : [ArgOf<C>]): Promise<ResultOf<C>> {
    const arg = rest[0] as ArgOf<C>;
    this.calls.push({ channel, arg });
    const custom = this.handlers[channel] as Handler<C> | undefined;
    try {
      const out = custom ? custom(arg) : (this.defaults[channel] as unknown as Handler<C>)(arg);
      return Promise.resolve(out);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  callsTo<C extends Channel>(channel: C): Array<ArgOf<C>> {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.arg as ArgOf<C>);
  }

  private readonly defaults: { [C in keyof ApiChannels]: Handler<C> } = {
    'app:info': () => this.data.info,
    'engine:status': () => this.data.engine,
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
    'boxes:cancel': () => undefined,
    'boxes:stop': ({ boxId }) => {
      const b = this.data.boxes.find((x) => x.boxId === boxId);
      if (!b) throw new BoxscopeError('BOX_NOT_FOUND', `No box ${boxId}`);
      b.state = 'stopped';
    },
    'boxes:remove': ({ boxId }) => {
      this.data.boxes = this.data.boxes.filter((x) => x.boxId !== boxId);
    },
    'boxes:logs': ({ boxId }) => this.data.logs[boxId] ?? '',
    'boxes:followLogs': () => undefined,
    'boxes:unfollowLogs': () => undefined,
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
    'traces:export': ({ traceId }) => JSON.stringify({ resourceSpans: [], traceId }),
    'traces:import': () => ({ traceIds: [] }),
    'traces:recordUi': () => undefined,
  };
}
