/** One Credentials and one Runner per core context, shared by the handlers that need them. */
import type { CoreContext } from '../contracts.js';
import { Credentials } from '../credentials/index.js';
import { Runner } from './index.js';

const creds = new WeakMap<CoreContext, Credentials>();
const runners = new WeakMap<CoreContext, Runner>();

export function credentialsFor(ctx: CoreContext): Credentials {
  let c = creds.get(ctx);
  if (!c) {
    c = new Credentials({
      home: ctx.paths.home,
      metadataFile: ctx.paths.registries,
      env: ctx.env,
      secretBackend: ctx.secretBackend,
    });
    creds.set(ctx, c);
  }
  return c;
}

export function runnerFor(ctx: CoreContext): Runner {
  let r = runners.get(ctx);
  if (!r) {
    r = new Runner(ctx, credentialsFor(ctx));
    runners.set(ctx, r);
  }
  return r;
}

/** Ends the runner's engine event stream, log follows and pending launches of a core being closed. */
export function closeRunner(ctx: CoreContext): void {
  runners.get(ctx)?.close();
  runners.delete(ctx);
}
