import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from '../service.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { SERVICE } from '../../../shared/constants.js';

// The OTLP codecs bring the protobuf schema along: loaded on first use, so a launch does not pay for them.
const otlp = () =>
  Promise.all([import('../otlp/decode.js'), import('../otlp/encode.js'), import('../otlp/trace-file.js')]).then(
    ([decode, encode, file]) => ({ ...decode, ...encode, ...file }),
  );

type TraceChannels = 'traces:list' | 'traces:get' | 'traces:export' | 'traces:import' | 'traces:recordUi';

const TRACE_ID = /^[0-9a-f]{32}$/;

function traceIdArg(arg: { traceId?: unknown } | undefined): string {
  const id = typeof arg?.traceId === 'string' ? arg.traceId.trim().toLowerCase() : '';
  if (!TRACE_ID.test(id)) throw new BoxscopeError('INVALID_INPUT', 'A trace id is 32 hex characters');
  return id;
}

export function tracesHandlers(ctx: CoreContext): Pick<HandlerMap, TraceChannels> {
  const getTrace = (arg: { traceId?: unknown }) => {
    const traceId = traceIdArg(arg);
    const spans = ctx.store.getTrace(traceId);
    if (spans.length === 0)
      throw new BoxscopeError('TRACE_NOT_FOUND', `No spans stored for trace ${traceId}`, { traceId });
    return spans;
  };
  return {
    'traces:list': async (arg) => {
      const limit = arg?.limit;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new BoxscopeError('INVALID_INPUT', 'limit must be a positive integer');
      }
      return ctx.store.listTraces({ boxId: arg?.boxId || undefined, limit });
    },
    'traces:get': async (arg) => getTrace(arg),
    'traces:export': async (arg) => JSON.stringify((await otlp()).toExportRequest(getTrace(arg))),
    'traces:import': async (arg) => {
      if (typeof arg?.content !== 'string') throw new BoxscopeError('INVALID_INPUT', 'Nothing to import');
      const spans = (await otlp()).parseTraceFile(arg.content, arg.fileName);
      ctx.store.addSpans(spans);
      const traceIds = [...new Set(spans.map((s) => s.traceId))];
      ctx.log.info('imported trace file', { spans: spans.length, traces: traceIds.length });
      return { traceIds };
    },
    'traces:recordUi': async (arg) => {
      if (typeof arg?.otlpJson !== 'string') throw new BoxscopeError('INVALID_INPUT', 'otlpJson must be a string');
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
