import type { CoreContext } from '../contracts.js';
import type { HandlerMap } from './types.js';
import { engineStatus } from '../docker/engine.js';
import { DEFAULT_SOCKET, listContexts, resolveEngine } from '../docker/context.js';

export function appHandlers(
  ctx: CoreContext,
  info: { host: 'electron' | 'browser'; otlpEndpoint: () => string | undefined },
): Pick<HandlerMap, 'app:info' | 'engine:status' | 'engine:contexts' | 'engine:use'> {
  return {
    'app:info': async () => ({
      version: process.env.npm_package_version ?? '0.1.0',
      home: ctx.paths.home,
      otlpEndpoint: info.otlpEndpoint(),
      host: info.host,
    }),
    'engine:status': async () => engineStatus(ctx.env),
    'engine:contexts': async () => {
      let current = 'default';
      let source: ReturnType<typeof resolveEngine>['source'] = 'default';
      try {
        ({ context: current, source } = resolveEngine(ctx.env));
      } catch {
        // A context that does not exist: the list still shows what there is to pick.
      }
      const defaultHost = ctx.env.DOCKER_HOST?.trim() || `unix://${DEFAULT_SOCKET}`;
      return {
        current,
        source,
        contexts: [...listContexts(ctx.env), { name: 'default', host: defaultHost }],
      };
    },
    'engine:use': async ({ context }) => {
      // Checked before it is kept: a name that does not resolve leaves the engine as it was.
      resolveEngine({ ...ctx.env, BOXSCOPE_DOCKER_CONTEXT: context });
      ctx.env.BOXSCOPE_DOCKER_CONTEXT = context;
      ctx.log.info('engine switched', { context });
      return engineStatus(ctx.env);
    },
  };
}
