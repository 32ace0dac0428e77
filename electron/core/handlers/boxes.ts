import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from '../service.js';
import { BoxscopeError } from '../../../shared/errors.js';

type BoxChannels = 'boxes:list' | 'boxes:launch' | 'boxes:cancel' | 'boxes:stop' | 'boxes:remove' | 'boxes:logs' | 'boxes:followLogs' | 'boxes:unfollowLogs';

export function boxesHandlers(_ctx: CoreContext): Pick<HandlerMap, BoxChannels> {
  const todo = async (): Promise<never> => {
    throw new BoxscopeError('INTERNAL', 'not implemented yet');
  };
  return { 'boxes:list': todo, 'boxes:launch': todo, 'boxes:cancel': todo, 'boxes:stop': todo, 'boxes:remove': todo, 'boxes:logs': todo, 'boxes:followLogs': todo, 'boxes:unfollowLogs': todo };
}
