import { BoxRecords } from '../runner/records.js';
import type { CoreContext } from '../contracts.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { SERVICE } from '../../../shared/constants.js';
import { traceColumnHandlers, traceColumnStreams } from './trace-columns.js';
import { relayUntilAborted, type HandlerMap, type StreamMap } from './types.js';

// The OTLP codecs bring the protobuf schema along: loaded on first use, so a launch does not pay for them.
const otlp = () =>
  Promise.all([import('../otlp/decode.js'), import('../otlp/encode.js'), import('../otlp/trace-file.js')]).then(
    ([decode, encode, file]) => ({ ...decode, ...encode, ...file }),
  );

const importer = () => import('../traces/import-file.js');

type TraceChannels =
  | 'traces:list'
  | 'traces:fetch'
  | 'traces:get'
  | 'traces:span'
  | 'traces:search'
  | 'traces:export'
  | 'traces:import'
  | 'traces:recordUi'
  | 'sources:list'
  | 'sources:save'
  | 'sources:remove';

const sources = () => import('../traces/sources.js');

export function tracesHandlers(ctx: CoreContext): Pick<HandlerMap, TraceChannels> {
  const getTrace = ({ traceId }: { traceId: string }) => {
    const spans = ctx.store.getTrace(traceId);
    if (spans.length === 0)
      throw new BoxscopeError('TRACE_NOT_FOUND', `No spans stored for trace ${traceId}`, { traceId });
    return spans;
  };
  return {
    'traces:list': async ({ boxId, limit }) => {
      const list = ctx.store.listTraces({ boxId: boxId || undefined, limit });
      // The box's name and image, from what this data dir launched, so a removed box's traces stay named.
      const names = new BoxRecords(ctx.paths.home).names();
      return list.map((t) => {
        const n = t.boxId ? names[t.boxId] : undefined;
        return n ? { ...t, boxName: n.name, image: n.image } : t;
      });
    },
    'traces:get': async (arg) => getTrace(arg),
    ...traceColumnHandlers(ctx),
    'traces:export': async (arg) => JSON.stringify((await otlp()).toExportRequest(getTrace(arg))),
    'traces:import': async (arg, { signal }) => (await importer()).importContent(ctx, arg, signal),
    'traces:fetch': async (arg, { signal }) => (await import('../traces/remote.js')).fetchRemoteTrace(ctx, arg, signal),
    'sources:list': async () => (await sources()).listSources(ctx.paths),
    'sources:save': async (arg) => (await sources()).saveSource(ctx.paths, arg),
    'sources:remove': async ({ name }) => (await sources()).removeSource(ctx.paths, name),
    'traces:recordUi': async (arg) => {
      const { decodeOtlpJson, OtlpDecodeError } = await otlp();
      let spans;
      try {
        spans = decodeOtlpJson(arg.otlpJson).spans;
      } catch (err) {
        const why = err instanceof OtlpDecodeError ? err.message : 'undecodable';
        throw new BoxscopeError('INVALID_INPUT', `UI spans are not OTLP JSON: ${why}`);
      }
      for (const s of spans) {
        if (!s.serviceName || s.serviceName.startsWith('unknown_service')) {
          s.serviceName = SERVICE.ui;
          s.resource['service.name'] = SERVICE.ui;
        }
      }
      ctx.store.addSpans(spans);
    },
  };
}

export function tracesStreams(
  ctx: CoreContext,
): Pick<StreamMap, 'traces:spans' | 'traces:columns' | 'traces:importFile'> {
  return {
    'traces:spans': ({ traceId }, emit, signal) =>
      relayUntilAborted(
        () =>
          ctx.events.on('spans:added', (e) => {
            if (!traceId || e.traceId === traceId) emit(e);
          }),
        signal,
      ),
    ...traceColumnStreams(ctx),
    'traces:importFile': async ({ path }, emit, signal) => (await importer()).importFileByPath(ctx, path, emit, signal),
  };
}
