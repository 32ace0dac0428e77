import type { CoreContext } from '../contracts.js';
import { runnerFor } from '../runner/instances.js';
import { relayUntilAborted, type HandlerMap, type StreamMap } from './types.js';

type BoxChannels = 'boxes:list' | 'boxes:launch' | 'boxes:stop' | 'boxes:remove' | 'boxes:logs';
type BoxStreams = 'boxes:changed' | 'pull:progress' | 'logs:follow';

export function boxesHandlers(ctx: CoreContext): Pick<HandlerMap, BoxChannels> {
  const runner = () => runnerFor(ctx);
  return {
    'boxes:list': async () => runner().list(),
    'boxes:launch': async (req, { signal }) => runner().launch(req, { signal }),
    'boxes:stop': async ({ boxId, timeout }) => runner().stop(boxId, timeout),
    'boxes:remove': async ({ boxId }) => runner().remove(boxId),
    'boxes:logs': async ({ boxId, tail }) => runner().logs(boxId, tail),
  };
}

export function boxesStreams(ctx: CoreContext): Pick<StreamMap, BoxStreams> {
  return {
    'boxes:changed': (_arg, emit, signal) => relayUntilAborted(() => ctx.events.on('boxes:changed', emit), signal),
    'pull:progress': (_arg, emit, signal) => relayUntilAborted(() => ctx.events.on('pull:progress', emit), signal),
    'logs:follow': ({ boxId, tail, timestamps }, emit, signal) =>
      runnerFor(ctx).followLogs(boxId, { tail: tail ?? 0, timestamps, signal, onChunk: emit }),
  };
}
