/** One request from an untrusted renderer → a validated core call → an envelope. Shared by both hosts. */
import type { ApiEvents, ArgOf, Channel, EventName, ResultOf } from '../../shared/api.js';
import { BoxscopeError, toErrorInfo, type Envelope } from '../../shared/errors.js';
import { isChannel, parseArg } from '../../shared/schemas.js';

/** The part of the core a host needs (see electron/core/service.ts). */
export interface ApiCore {
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export async function dispatch(core: ApiCore, channel: unknown, arg: unknown): Promise<Envelope<unknown>> {
  try {
    if (!isChannel(channel))
      throw new BoxscopeError('INVALID_INPUT', `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
    const result = await core.invoke(channel, parseArg(channel, arg) as never);
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
