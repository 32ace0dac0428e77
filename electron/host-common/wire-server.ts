/**
 * The core's side of the wire protocol (shared/wire.ts), the same for every
 * transport: each call gets an AbortController that the client's `cancel`
 * (or the transport closing) aborts, each stream runs until it ends, the
 * client disposes it, or the transport closes. No feature keeps books here.
 */
import { BoxscopeError, toErrorInfo } from '../../shared/errors.js';
import type { Send, WireMessage } from '../../shared/wire.js';

import type { CoreEntry } from '../core/contracts.js';

export type { CoreEntry };

export interface WireSession {
  /** One message from the client, already decoded from its frame; anything malformed gets an error reply. */
  receive(msg: unknown): void;
  /** The transport closed: every call in flight is aborted and every stream disposed. */
  close(): void;
}

/** Most calls and streams one client may have open at once: a page that floods gets errors, the core stays up. */
const MAX_OPEN = 1000;

export function serveWire(core: CoreEntry, send: Send): WireSession {
  const open = new Map<number, AbortController>();
  let closed = false;
  const reply = (msg: WireMessage, transfer?: ArrayBuffer[]) => {
    if (!closed) send(msg, transfer);
  };
  const fail = (id: number | null, err: unknown) => reply({ t: 'err', id, error: toErrorInfo(err) });

  return {
    receive(raw) {
      if (closed) return;
      const msg = raw as { t?: unknown; id?: unknown; channel?: unknown; stream?: unknown; arg?: unknown };
      const id = typeof msg?.id === 'number' && Number.isSafeInteger(msg.id) && msg.id >= 0 ? msg.id : null;
      if (id === null) return fail(null, new BoxscopeError('INVALID_INPUT', 'Message has no numeric id'));
      if (msg.t === 'cancel') {
        open.get(id)?.abort();
        open.delete(id);
        return;
      }
      if (msg.t !== 'call' && msg.t !== 'listen')
        return fail(id, new BoxscopeError('INVALID_INPUT', 'Message type must be call, listen or cancel'));
      if (open.has(id)) return fail(id, new BoxscopeError('INVALID_INPUT', `Request id ${id} is already in use`));
      if (open.size >= MAX_OPEN)
        return fail(id, new BoxscopeError('INVALID_INPUT', `Too many open requests (at most ${MAX_OPEN})`));
      const ac = new AbortController();
      open.set(id, ac);
      const finish = () => {
        if (open.get(id) === ac) open.delete(id);
      };
      if (msg.t === 'call') {
        core
          .call(msg.channel, msg.arg, ac.signal)
          .then(
            (result) => !ac.signal.aborted && reply({ t: 'ok', id, result }),
            (err) => !ac.signal.aborted && fail(id, err),
          )
          .finally(finish);
        return;
      }
      const emit = (item: unknown) => {
        if (ac.signal.aborted) return;
        reply({ t: 'data', id, data: item }, item instanceof ArrayBuffer ? [item] : undefined);
      };
      core
        .listen(msg.stream, msg.arg, emit, ac.signal)
        .then(
          () => !ac.signal.aborted && reply({ t: 'end', id }),
          (err) => !ac.signal.aborted && reply({ t: 'end', id, error: toErrorInfo(err) }),
        )
        .finally(finish);
    },
    close() {
      closed = true;
      for (const ac of open.values()) ac.abort();
      open.clear();
    },
  };
}
