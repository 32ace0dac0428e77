/**
 * Why a pull failed, in words a user can act on. The engine's own error
 * hides a 401 behind retries, so the registry is asked directly.
 */
import { BoxscopeError } from '../../../shared/errors.js';
import type { authconfigFor } from '../credentials/index.js';
import { engineError, engineMessage, statusCodeOf } from '../docker/engine.js';
import { outcomeCode, probeRegistry } from '../registry/probe.js';
import type { ImageRef } from '../registry/reference.js';
import { PullFailed } from './pull.js';

export async function explainPullFailure(
  err: unknown,
  ref: ImageRef,
  credential: Parameters<typeof authconfigFor>[0],
  insecure: boolean,
  env: NodeJS.ProcessEnv,
): Promise<BoxscopeError> {
  if (err instanceof BoxscopeError) return err;
  if (!(err instanceof PullFailed) && statusCodeOf(err) === undefined) return engineError(err, env, 'Pull failed');
  const engineSaid = engineMessage(err);
  const probe = await probeRegistry({
    registry: ref.registry,
    repository: ref.repository,
    reference: ref.digest ?? ref.tag,
    credential,
    insecure,
    env,
  });
  if (probe.outcome !== 'ok')
    return new BoxscopeError(outcomeCode(probe.outcome), probe.message, {
      registry: ref.registry,
      source: credential?.sourceDetail ?? 'none',
    });
  if (/manifest unknown|not found/i.test(engineSaid))
    return new BoxscopeError('MANIFEST_UNKNOWN', `Manifest unknown: ${ref.canonical} does not exist`, {
      registry: ref.registry,
    });
  return new BoxscopeError('INTERNAL', `Pull of ${ref.canonical} failed: ${engineSaid}`, { registry: ref.registry });
}
