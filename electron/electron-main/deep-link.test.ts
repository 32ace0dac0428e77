import { describe, expect, it } from 'vitest';
import { deepLinkHash, findDeepLink } from './deep-link.js';

const T = '0af7651916cd43dd8448eb211c80319c';

describe('deep links', () => {
  it('map boxscope:// paths to renderer routes', () => {
    expect(deepLinkHash(`boxscope://traces/${T}`)).toBe(`/traces/${T}`);
    expect(deepLinkHash('boxscope://boxes/box-1a2b')).toBe('/boxes/box-1a2b');
  });

  it('ignore anything else', () => {
    for (const url of [
      'boxscope://traces/not-a-trace',
      `https://traces/${T}`,
      'boxscope://settings/x',
      `boxscope://traces/${T}/extra`,
      'boxscope://boxes/..%2f..',
      'not a url',
    ]) {
      expect(deepLinkHash(url), url).toBeUndefined();
    }
  });

  it('find the link among a second instance argv', () => {
    expect(findDeepLink(['/usr/bin/boxscope', '--flag', `boxscope://traces/${T}`])).toBe(`/traces/${T}`);
    expect(findDeepLink(['/usr/bin/boxscope'])).toBeUndefined();
  });
});
