/**
 * The one contract between the renderer and the core. Every host (Electron
 * IPC, browser-mode WebSocket) carries exactly these channels; both sides
 * compile against this map.
 */
import type {
  AppInfo,
  Box,
  CredentialInfo,
  EngineStatus,
  LaunchRequest,
  LaunchResult,
  LogChunk,
  PullProgress,
  RegistryCheckResult,
  SaveCredentialRequest,
  SecretStoreStatus,
  SpanRecord,
  TraceSummary,
} from './models.js';

/** Request/response channels: `service:method` → [argument, result]. */
export interface ApiChannels {
  'app:info': [void, AppInfo];
  'engine:status': [void, EngineStatus];

  'boxes:list': [void, Box[]];
  'boxes:launch': [LaunchRequest, LaunchResult];
  'boxes:cancel': [{ requestId: string }, void];
  'boxes:stop': [{ boxId: string }, void];
  'boxes:remove': [{ boxId: string }, void];
  'boxes:logs': [{ boxId: string; tail?: number }, string];
  'boxes:followLogs': [{ boxId: string }, void];
  'boxes:unfollowLogs': [{ boxId: string }, void];

  'registries:list': [void, CredentialInfo[]];
  'registries:save': [SaveCredentialRequest, CredentialInfo];
  'registries:remove': [{ key: string }, void];
  /** Test saved/env/docker credentials for a key, or the given ones before saving. */
  'registries:test': [{ key: string; username?: string; secret?: string }, RegistryCheckResult];
  'registries:forImage': [{ image: string }, CredentialInfo | null];
  'registries:storeStatus': [void, SecretStoreStatus];

  'traces:list': [{ boxId?: string; limit?: number }, TraceSummary[]];
  'traces:get': [{ traceId: string }, SpanRecord[]];
  /** OTLP JSON (ExportTraceServiceRequest) of one trace. */
  'traces:export': [{ traceId: string }, string];
  /** OTLP JSON or Jaeger JSON text; returns the trace ids stored. */
  'traces:import': [{ fileName: string; content: string }, { traceIds: string[] }];
  /** The renderer's own spans (box.create), as an OTLP JSON ExportTraceServiceRequest. */
  'traces:recordUi': [{ otlpJson: string }, void];
}

/** Events pushed from the core to the renderer. */
export interface ApiEvents {
  'boxes:changed': Box;
  'pull:progress': PullProgress;
  'spans:added': { traceId: string; spans: SpanRecord[] };
  'logs:chunk': LogChunk;
}

export type Channel = keyof ApiChannels;
export type ArgOf<C extends Channel> = ApiChannels[C][0];
export type ResultOf<C extends Channel> = ApiChannels[C][1];
export type EventName = keyof ApiEvents;

export type Unsubscribe = () => void;

/** What `window.boxscope` is, in Electron (preload) and in browser mode (WebSocket client). */
export interface BoxscopeApi {
  invoke<C extends Channel>(channel: C, ...arg: ArgOf<C> extends void ? [] : [ArgOf<C>]): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe;
}

export const CHANNELS = [
  'app:info',
  'engine:status',
  'boxes:list',
  'boxes:launch',
  'boxes:cancel',
  'boxes:stop',
  'boxes:remove',
  'boxes:logs',
  'boxes:followLogs',
  'boxes:unfollowLogs',
  'registries:list',
  'registries:save',
  'registries:remove',
  'registries:test',
  'registries:forImage',
  'registries:storeStatus',
  'traces:list',
  'traces:get',
  'traces:export',
  'traces:import',
  'traces:recordUi',
] as const satisfies readonly Channel[];

export const EVENTS = [
  'boxes:changed',
  'pull:progress',
  'spans:added',
  'logs:chunk',
] as const satisfies readonly EventName[];
