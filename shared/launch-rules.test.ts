import { describe, expect, it } from 'vitest';
import { formatRestart, launchProblems, parseMount, parseRestart } from './launch-rules.js';

describe('launch rules: mounts and restart policies', () => {
  it('a SRC holding / or starting with . is a host path, so the rule says it must be absolute', () => {
    expect(parseMount('/srv:/data:ro')).toEqual({ type: 'bind', source: '/srv', target: '/data', readOnly: true });
    expect(parseMount('cache:/c')).toEqual({ type: 'volume', source: 'cache', target: '/c' });
    for (const src of ['./data', '../up', 'rel/dir', '.'])
      expect(launchProblems({ image: 'x', mounts: [parseMount(`${src}:/d`)] })).toEqual([
        { field: 'mounts.0', message: `Host path "${src}" must be absolute (start with /)` },
      ]);
  });

  it('parses docker run --restart spellings and refuses others in words', () => {
    expect(parseRestart('always')).toEqual({ restart: 'always' });
    expect(parseRestart('on-failure:5')).toEqual({ restart: 'on-failure', restartMaxRetries: 5 });
    expect(() => parseRestart('always:3')).toThrow('only on-failure takes a maximum');
    expect(() => parseRestart('on-failure:x')).toThrow('whole number');
    expect(() => parseRestart('sometimes')).toThrow('is not a restart policy');
    expect(formatRestart({ restart: 'on-failure', restartMaxRetries: 2 })).toBe('on-failure:2');
    expect(formatRestart({})).toBe('no');
  });
});
