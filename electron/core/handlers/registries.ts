import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from '../service.js';
import { BoxscopeError } from '../../../shared/errors.js';

type RegistryChannels = 'registries:list' | 'registries:save' | 'registries:remove' | 'registries:test' | 'registries:forImage' | 'registries:storeStatus';

export function registriesHandlers(_ctx: CoreContext): Pick<HandlerMap, RegistryChannels> {
  const todo = async (): Promise<never> => {
    throw new BoxscopeError('INTERNAL', 'not implemented yet');
  };
  return { 'registries:list': todo, 'registries:save': todo, 'registries:remove': todo, 'registries:test': todo, 'registries:forImage': todo, 'registries:storeStatus': todo };
}
