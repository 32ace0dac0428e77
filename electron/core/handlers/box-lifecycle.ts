/** Box lifecycle beyond launch: validate, start, restart (see docs/CONTRACTS.md, "Box lifecycle"). */
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { validateLaunch } from '../runner/box-spec.js';
import type { HandlerMap } from './types.js';

type LifecycleChannels = 'boxes:validate' | 'boxes:start' | 'boxes:restart';

const notYet = (what: string) => async (): Promise<never> => {
  throw new BoxscopeError('INTERNAL', `${what} is not built yet`);
};

export function boxLifecycleHandlers(_ctx: CoreContext): Pick<HandlerMap, LifecycleChannels> {
  return {
    'boxes:validate': async (req) => validateLaunch(req),
    'boxes:start': notYet('Start'),
    'boxes:restart': notYet('Restart'),
  };
}
