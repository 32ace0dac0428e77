/** Box lifecycle beyond launch: validate, start, restart (see docs/CONTRACTS.md, "Box lifecycle"). */
import type { CoreContext } from '../contracts.js';
import { validateLaunch } from '../runner/box-spec.js';
import { runnerFor } from '../runner/instances.js';
import type { HandlerMap } from './types.js';

type LifecycleChannels = 'boxes:validate' | 'boxes:start' | 'boxes:restart';

export function boxLifecycleHandlers(ctx: CoreContext): Pick<HandlerMap, LifecycleChannels> {
  return {
    'boxes:validate': async (req) => validateLaunch(req),
    'boxes:start': async ({ boxId }) => runnerFor(ctx).start(boxId),
    'boxes:restart': async ({ boxId, timeout }) => runnerFor(ctx).start(boxId, { restart: true, timeout }),
  };
}
