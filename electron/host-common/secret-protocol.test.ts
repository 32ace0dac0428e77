import { describe, expect, it } from 'vitest';
import type { SecretBackend } from '../core/contracts.js';
import { answerSecret, parseSecretReply, parseSecretRequest } from './secret-protocol.js';

function memory(): SecretBackend & { data: Map<string, { username: string; secret: string }> } {
  const data = new Map<string, { username: string; secret: string }>();
  return {
    data,
    name: 'safeStorage (test)',
    secure: true,
    get: async (k) => data.get(k),
    set: async (k, username, secret) => void data.set(k, { username, secret }),
    delete: async (k) => void data.delete(k),
  };
}

describe('secret requests between the core and main', () => {
  it('answers exactly the four ops', async () => {
    const b = memory();
    expect(await answerSecret(b, { type: 'secret', id: 1, op: 'info' })).toEqual({
      type: 'secret-reply',
      id: 1,
      ok: true,
      value: { name: 'safeStorage (test)', secure: true },
    });
    await answerSecret(b, { type: 'secret', id: 2, op: 'set', key: 'ghcr.io', username: 'u', secret: 's' });
    expect(await answerSecret(b, { type: 'secret', id: 3, op: 'get', key: 'ghcr.io' })).toMatchObject({
      ok: true,
      value: { username: 'u', secret: 's' },
    });
    await answerSecret(b, { type: 'secret', id: 4, op: 'delete', key: 'ghcr.io' });
    expect(b.data.size).toBe(0);
  });

  it('ignores anything else a compromised core might send', async () => {
    const b = memory();
    for (const m of [
      null,
      'secret',
      { type: 'secret', id: 1, op: 'list' },
      { type: 'secret', id: 1, op: 'dump' },
      { type: 'secret', id: -1, op: 'info' },
      { type: 'secret', id: 1, op: 'get', key: 7 },
      { type: 'secret', id: 1, op: 'set', key: 'k', username: 'u' },
      { type: 'eval', id: 1, code: 'process.exit()' },
    ]) {
      expect(parseSecretRequest(m)).toBeUndefined();
      expect(await answerSecret(b, m)).toBeUndefined();
    }
  });

  it('replies with a failure that does not quote the backend error', async () => {
    const b = { ...memory(), set: async () => Promise.reject(new Error('cannot store hunter2')) };
    const r = await answerSecret(b, { type: 'secret', id: 5, op: 'set', key: 'k', username: 'u', secret: 'hunter2' });
    expect(r).toMatchObject({ ok: false });
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('validates replies on the core side too', () => {
    expect(parseSecretReply({ type: 'secret-reply', id: 1, ok: true, value: 1 })).toBeDefined();
    expect(parseSecretReply({ type: 'secret-reply', id: 'x', ok: true })).toBeUndefined();
    expect(parseSecretReply({ type: 'secret-reply', id: 1, ok: false })).toBeUndefined();
    expect(parseSecretReply({ type: 'connect' })).toBeUndefined();
  });
});
