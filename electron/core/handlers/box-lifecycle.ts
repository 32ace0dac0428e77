/** Box lifecycle beyond launch: validate, start, restart (see docs/CONTRACTS.md, "Box lifecycle"). */
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { runnerFor } from '../runner/instances.js';
import type { HandlerMap } from './types.js';

type LifecycleChannels = 'boxes:validate' | 'boxes:start' | 'boxes:restart';

const notYet = (what: string) => async (): Promise<never> => {
  throw new BoxscopeError('INTERNAL', `${what} is not built yet`);
};

export function boxLifecycleHandlers(ctx: CoreContext): Pick<HandlerMap, LifecycleChannels> {
  return {
    'boxes:validate': notYet('Launch validation'),
    'boxes:start': async ({ boxId }) => runnerFor(ctx).start(boxId),
    'boxes:restart': async ({ boxId, timeout }) => runnerFor(ctx).start(boxId, { restart: true, timeout }),
  };
}
