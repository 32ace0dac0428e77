import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { runnerFor } from '../runner/instances.js';
import type { HandlerMap } from '../service.js';

type BoxChannels =
  | 'boxes:list'
  | 'boxes:launch'
  | 'boxes:cancel'
  | 'boxes:stop'
  | 'boxes:remove'
  | 'boxes:logs'
  | 'boxes:followLogs'
  | 'boxes:unfollowLogs';

function boxIdOf(arg: { boxId?: unknown } | undefined): string {
  if (!arg || typeof arg.boxId !== 'string' || !arg.boxId)
    throw new BoxscopeError('INVALID_INPUT', 'boxId is required');
  return arg.boxId;
}

export function boxesHandlers(ctx: CoreContext): Pick<HandlerMap, BoxChannels> {
  const runner = () => runnerFor(ctx);
  return {
    'boxes:list': async () => runner().list(),
    'boxes:launch': async (req) => runner().launch(req),
    'boxes:cancel': async (arg) => {
      if (!arg || typeof arg.requestId !== 'string') throw new BoxscopeError('INVALID_INPUT', 'requestId is required');
      runner().cancel(arg.requestId);
    },
    'boxes:stop': async (arg) => runner().stop(boxIdOf(arg)),
    'boxes:remove': async (arg) => runner().remove(boxIdOf(arg)),
    'boxes:logs': async (arg) => runner().logs(boxIdOf(arg), typeof arg.tail === 'number' ? arg.tail : undefined),
    'boxes:followLogs': async (arg) => {
      // The UI reads the recent lines itself ('boxes:logs'); a follow streams only what comes next.
      await runner().followLogs(boxIdOf(arg), { tail: 0 });
    },
    'boxes:unfollowLogs': async (arg) => runner().unfollowLogs(boxIdOf(arg)),
  };
}
