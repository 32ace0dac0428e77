/** What a user does inside a running box: inspect, a terminal (exec with a TTY), live stats. */
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import type { HandlerMap, StreamMap } from './types.js';

type SessionChannels = 'boxes:inspect' | 'boxes:execInput' | 'boxes:execResize';
type SessionStreams = 'boxes:exec' | 'boxes:stats';

const notYet = (what: string) => async (): Promise<never> => {
  throw new BoxscopeError('INTERNAL', `${what} is not built yet`);
};

export function boxSessionHandlers(_ctx: CoreContext): Pick<HandlerMap, SessionChannels> {
  return {
    'boxes:inspect': notYet('Inspect'),
    'boxes:execInput': notYet('Terminal input'),
    'boxes:execResize': notYet('Terminal resize'),
  };
}

export function boxSessionStreams(_ctx: CoreContext): Pick<StreamMap, SessionStreams> {
  return {
    'boxes:exec': notYet('The terminal'),
    'boxes:stats': notYet('Stats'),
  };
}
