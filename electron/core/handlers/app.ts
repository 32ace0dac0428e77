import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from './types.js';
import { engineStatus } from '../docker/engine.js';

export function appHandlers(
  ctx: CoreContext,
  info: { host: 'electron' | 'browser'; otlpEndpoint: () => string | undefined },
): Pick<HandlerMap, 'app:info' | 'engine:status'> {
  return {
    'app:info': async () => ({
      version: process.env.npm_package_version ?? '0.1.0',
      home: ctx.paths.home,
      otlpEndpoint: info.otlpEndpoint(),
      host: info.host,
    }),
    'engine:status': async () => engineStatus(ctx.env),
  };
}
