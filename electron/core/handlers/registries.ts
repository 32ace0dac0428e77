import { BoxscopeError } from '../../../shared/errors.js';
import type { RegistryCheckResult } from '../../../shared/models.js';
import type { CoreContext } from '../contracts.js';
import type { Credential } from '../credentials/index.js';
import { ENTERED, probeRegistry } from '../registry/probe.js';
import { parseKey, parseReference } from '../registry/reference.js';
import { credentialsFor } from '../runner/instances.js';
import type { HandlerMap } from './types.js';

type RegistryChannels =
  | 'registries:list'
  | 'registries:save'
  | 'registries:remove'
  | 'registries:test'
  | 'registries:forImage'
  | 'registries:storeStatus';

function keyOf(arg: { key?: unknown } | undefined): string {
  if (!arg || typeof arg.key !== 'string' || !arg.key.trim())
    throw new BoxscopeError('INVALID_INPUT', 'A registry (host or host/prefix/) is required');
  return arg.key;
}

export function registriesHandlers(ctx: CoreContext): Pick<HandlerMap, RegistryChannels> {
  const creds = () => credentialsFor(ctx);
  return {
    'registries:list': async () => creds().list(),
    'registries:save': async (req) => {
      if (!req || typeof req.key !== 'string')
        throw new BoxscopeError('INVALID_INPUT', 'A registry (host or host/prefix/) is required');
      const info = await creds().save(req);
      ctx.log.info('registry credential saved', { key: info.key, backend: info.sourceDetail });
      return info;
    },
    'registries:remove': async (arg) => {
      await creds().remove(keyOf(arg));
      ctx.log.info('registry credential removed', { key: keyOf(arg) });
    },
    'registries:test': async (arg): Promise<RegistryCheckResult> => {
      const k = parseKey(keyOf(arg));
      const insecure = creds().isInsecure(k.registry);
      let credential: Credential | undefined;
      if (arg.secret) {
        credential = {
          key: k.key,
          registry: k.registry,
          source: 'app',
          sourceDetail: ENTERED,
          username: arg.username,
          secret: arg.secret,
          readOnly: false,
        };
      } else if (!insecure) {
        credential = await creds().forKey(k.key);
      }
      const r = await probeRegistry({ registry: k.registry, credential, insecure, env: ctx.env });
      return { registry: k.registry, outcome: r.outcome, message: r.message, source: credential?.source ?? 'none' };
    },
    'registries:forImage': async (arg) => {
      if (!arg || typeof arg.image !== 'string') throw new BoxscopeError('INVALID_INPUT', 'An image is required');
      return creds().forImage(parseReference(arg.image));
    },
    'registries:storeStatus': async () => creds().storeStatus(),
  };
}
