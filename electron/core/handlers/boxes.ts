import type { CoreContext } from '../contracts.js';
import { runnerFor } from '../runner/instances.js';
import { untilAborted, type HandlerMap, type StreamMap } from './types.js';

type BoxChannels = 'boxes:list' | 'boxes:launch' | 'boxes:stop' | 'boxes:remove' | 'boxes:logs';
type BoxStreams = 'boxes:changed' | 'pull:progress' | 'logs:follow';

export function boxesHandlers(ctx: CoreContext): Pick<HandlerMap, BoxChannels> {
  const runner = () => runnerFor(ctx);
  return {
    'boxes:list': async () => runner().list(),
    'boxes:launch': async (req, { signal }) => runner().launch(req, { signal }),
    'boxes:stop': async ({ boxId }) => runner().stop(boxId),
    'boxes:remove': async ({ boxId }) => runner().remove(boxId),
    'boxes:logs': async ({ boxId, tail }) => runner().logs(boxId, tail),
  };
}

export function boxesStreams(ctx: CoreContext): Pick<StreamMap, BoxStreams> {
  const relay =
    (event: 'boxes:changed' | 'pull:progress') =>
    async (_arg: void, emit: (item: never) => void, signal: AbortSignal): Promise<void> => {
      const off = ctx.events.on(event, emit as never);
      try {
        await untilAborted(signal);
      } finally {
        off();
      }
    };
  return {
    'boxes:changed': relay('boxes:changed'),
    'pull:progress': relay('pull:progress'),
    'logs:follow': ({ boxId, tail }, emit, signal) =>
      runnerFor(ctx).followLogs(boxId, { tail: tail ?? 0, signal, onChunk: emit }),
  };
}
