import { describe, expect, it } from 'vitest';
import { CHANNELS } from './api.js';
import { BoxscopeError } from './errors.js';
import { CHANNEL_SCHEMAS, isChannel, parseArg } from './schemas.js';

describe('channel schemas', () => {
  it('cover exactly the channels of the API', () => {
    expect(Object.keys(CHANNEL_SCHEMAS).sort()).toEqual([...CHANNELS].sort());
  });

  it('accept well-formed arguments', () => {
    expect(parseArg('app:info', undefined)).toBeUndefined();
    expect(
      parseArg('boxes:launch', { image: 'ghcr.io/acme/app:1', env: { A: 'b' }, pull: 'never', daemon: false }),
    ).toEqual({
      image: 'ghcr.io/acme/app:1',
      env: { A: 'b' },
      pull: 'never',
      daemon: false,
    });
    expect(parseArg('traces:list', undefined)).toEqual({});
    expect(parseArg('traces:get', { traceId: 'a'.repeat(32) })).toEqual({ traceId: 'a'.repeat(32) });
  });

  it('reject bad arguments with INVALID_INPUT naming the field, not the value', () => {
    const bad: Array<[Parameters<typeof parseArg>[0], unknown, string]> = [
      ['boxes:launch', { image: '' }, 'image'],
      ['boxes:launch', { image: 'x', pull: 'sometimes' }, 'pull'],
      ['boxes:launch', { image: 'x', env: { A: 1 } }, 'env.A'],
      ['boxes:stop', {}, 'boxId'],
      ['traces:get', { traceId: 'NOT-HEX' }, 'traceId'],
      ['registries:save', { key: 'ghcr.io', username: 'u', secret: 12345 }, 'secret'],
      ['app:info', { sneaky: true }, 'argument'],
    ];
    for (const [channel, arg, field] of bad) {
      let err: unknown;
      try {
        parseArg(channel, arg);
      } catch (e) {
        err = e;
      }
      expect(err, channel).toBeInstanceOf(BoxscopeError);
      expect((err as BoxscopeError).code).toBe('INVALID_INPUT');
      expect((err as BoxscopeError).message).toContain(field);
      expect((err as BoxscopeError).message).not.toContain('12345');
    }
  });

  it('reject unknown keys so a renderer cannot smuggle fields into the core', () => {
    expect(() => parseArg('boxes:remove', { boxId: 'b1', force: true })).toThrow(/force/);
  });

  it('knows its channels', () => {
    expect(isChannel('boxes:list')).toBe(true);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('__proto__')).toBe(false);
  });
});
