import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from '../service.js';
import { BoxscopeError } from '../../../shared/errors.js';

type TraceChannels = 'traces:list' | 'traces:get' | 'traces:export' | 'traces:import' | 'traces:recordUi';

export function tracesHandlers(_ctx: CoreContext): Pick<HandlerMap, TraceChannels> {
  const todo = async (): Promise<never> => {
    throw new BoxscopeError('INTERNAL', 'not implemented yet');
  };
  return { 'traces:list': todo, 'traces:get': todo, 'traces:export': todo, 'traces:import': todo, 'traces:recordUi': todo };
}
