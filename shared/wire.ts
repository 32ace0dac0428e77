/**
 * The wire protocol every transport carries (Electron MessagePort, browser-mode
 * WebSocket): calls with cancellation and streams with disposal, one
 * implementation of each side's bookkeeping, independent of the transport.
 * Transports only move messages; WebSocket text frames carry JSON and binary
 * frames carry stream items that are bytes (trace columns), never base64.
 */
import type { ArgList, BoxscopeApi, CallOptions, Channel, ListenHandlers, StreamName } from './api.js';
import { BoxscopeError, fromErrorInfo, type ErrorInfo } from './errors.js';

export type ClientMessage =
  | { t: 'call'; id: number; channel: string; arg?: unknown }
  | { t: 'listen'; id: number; stream: string; arg?: unknown }
  /** Aborts a call or disposes a stream. */
  | { t: 'cancel'; id: number };

export type ServerMessage =
  | { t: 'ok'; id: number; result?: unknown }
  | { t: 'err'; id: number | null; error: ErrorInfo }
  | { t: 'data'; id: number; data: unknown }
  | { t: 'end'; id: number; error?: ErrorInfo };

export type WireMessage = ClientMessage | ServerMessage;

/** Sends one message; `transfer` lists buffers the transport may move instead of copying. */
export type Send = (msg: WireMessage, transfer?: ArrayBuffer[]) => void;

// ---------------------------------------------------------------- framing (WebSocket)

const BINARY_DATA = 1;

function isBytes(v: unknown): v is ArrayBuffer | Uint8Array {
  return v instanceof ArrayBuffer || v instanceof Uint8Array;
}

/** A message as one WebSocket frame: text JSON, or a binary frame for a stream item that is bytes. */
export function encodeFrame(msg: WireMessage): string | Uint8Array {
  if (msg.t === 'data' && isBytes(msg.data)) {
    const body = msg.data instanceof Uint8Array ? msg.data : new Uint8Array(msg.data);
    const out = new Uint8Array(5 + body.byteLength);
    out[0] = BINARY_DATA;
    new DataView(out.buffer).setUint32(1, msg.id, true);
    out.set(body, 5);
    return out;
  }
  return JSON.stringify(msg);
}

/** The inverse of encodeFrame; anything else is refused with INVALID_INPUT. */
export function decodeFrame(frame: string | ArrayBuffer | Uint8Array): WireMessage {
  if (typeof frame === 'string') {
    let msg: unknown;
    try {
      msg = JSON.parse(frame);
    } catch {
      throw new BoxscopeError('INVALID_INPUT', 'Message is not JSON');
    }
    if (!msg || typeof msg !== 'object' || typeof (msg as { t?: unknown }).t !== 'string')
      throw new BoxscopeError('INVALID_INPUT', 'Message has no type');
    return msg as WireMessage;
  }
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < 5 || bytes[0] !== BINARY_DATA)
    throw new BoxscopeError('INVALID_INPUT', 'Unknown binary message');
  const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, true);
  // A copy, so the item owns exactly its bytes (not the frame's whole buffer).
  return { t: 'data', id, data: bytes.slice(5).buffer };
}

// ---------------------------------------------------------------- client side

interface OpenCall {
  kind: 'call';
  msg: ClientMessage;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  sent: boolean;
}
interface OpenStream {
  kind: 'stream';
  msg: ClientMessage;
  handlers: ListenHandlers<unknown>;
  resumable: boolean;
}

export interface WireClient {
  api: BoxscopeApi;
  /** Feed every message from the core here. */
  receive(msg: WireMessage): void;
  /**
   * The transport dropped: calls already sent reject (their replies are lost),
   * streams that cannot resume end with an error; new calls wait for `connected`.
   */
  disconnected(): void;
  /** A (new) transport is up: queued calls go out, resumable streams are asked for again. */
  connected(send: Send): void;
}

export interface WireClientOptions {
  /** Streams without side effects, asked for again after a reconnect (default: all). */
  resumable?: (stream: StreamName) => boolean;
}

const lost = () => ({ code: 'INTERNAL' as const, message: 'Lost the connection to Boxscope; try again.' });

export function createWireClient(opts: WireClientOptions = {}): WireClient {
  const open = new Map<number, OpenCall | OpenStream>();
  let send: Send | undefined;
  let nextId = 1;

  const post = (msg: ClientMessage): boolean => {
    if (!send) return false;
    send(msg);
    return true;
  };

  const api = {
    call(channel: Channel, ...[arg, options]: ArgList<unknown, CallOptions>) {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(new BoxscopeError('CANCELLED', 'Cancelled'));
      const id = nextId++;
      const msg: ClientMessage = { t: 'call', id, channel, arg };
      return new Promise<unknown>((resolve, reject) => {
        const entry: OpenCall = { kind: 'call', msg, resolve, reject, sent: false };
        const onAbort = () => {
          if (!open.has(id)) return;
          if (entry.sent) post({ t: 'cancel', id });
          open.delete(id);
          reject(new BoxscopeError('CANCELLED', 'Cancelled'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => signal?.removeEventListener('abort', onAbort);
        entry.resolve = (v) => (done(), resolve(v));
        entry.reject = (e) => (done(), reject(e));
        open.set(id, entry);
        entry.sent = post(msg);
      });
    },
    listen(stream: StreamName, arg: unknown, handlers: ListenHandlers<unknown> | ((item: unknown) => void)) {
      const id = nextId++;
      const h: ListenHandlers<unknown> = typeof handlers === 'function' ? { data: handlers } : handlers;
      const msg: ClientMessage = { t: 'listen', id, stream, arg };
      open.set(id, { kind: 'stream', msg, handlers: h, resumable: opts.resumable?.(stream) ?? true });
      post(msg);
      return () => {
        if (open.delete(id)) post({ t: 'cancel', id });
      };
    },
  } as BoxscopeApi;

  const settle = (entry: OpenCall | OpenStream, error?: ErrorInfo) => {
    if (entry.kind === 'call') entry.reject(fromErrorInfo(error ?? lost()));
    else entry.handlers.end?.(error);
  };

  return {
    api,
    receive(msg) {
      if (msg.t !== 'ok' && msg.t !== 'err' && msg.t !== 'data' && msg.t !== 'end') return;
      if (msg.id === null) return;
      const entry = open.get(msg.id);
      if (!entry) return;
      if (msg.t === 'data') {
        if (entry.kind !== 'stream') return;
        try {
          entry.handlers.data(msg.data);
        } catch (err) {
          // One listener's bug must not stop the stream: it surfaces as an unhandled rejection instead.
          void Promise.reject(err);
        }
        return;
      }
      open.delete(msg.id);
      if (msg.t === 'ok' && entry.kind === 'call') entry.resolve(msg.result);
      else if (msg.t === 'err') settle(entry, msg.error);
      else if (msg.t === 'end') settle(entry, msg.error);
    },
    disconnected() {
      send = undefined;
      for (const [id, entry] of open) {
        if (entry.kind === 'call' ? entry.sent : !entry.resumable) {
          open.delete(id);
          settle(entry, lost());
        }
      }
    },
    connected(s) {
      send = s;
      for (const entry of open.values()) {
        s(entry.msg);
        if (entry.kind === 'call') entry.sent = true;
      }
    },
  };
}
