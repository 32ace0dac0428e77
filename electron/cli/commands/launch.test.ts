import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { cliLaunchOptions, cliMount, markLaunchCommand, registerLaunch } from './launch.js';

function program(): Command {
  const p = new Command('boxscope').option('--context <name>');
  registerLaunch(p);
  return p;
}
const argv = (...a: string[]) => ['node', 'boxscope', ...a];

describe('boxscope launch: where the command starts', () => {
  it('the first word after IMAGE that is not a launch option starts the command, as docker run reads it', () => {
    const p = program();
    expect(markLaunchCommand(p, argv('launch', '-v', '/a:/b', 'img', 'sh', '-c', 'echo hi', '-v'))).toEqual(
      argv('launch', '-v', '/a:/b', 'img', '--', 'sh', '-c', 'echo hi', '-v'),
    );
    // Launch's options right after IMAGE stay launch's.
    expect(markLaunchCommand(p, argv('launch', 'img', '--json', '--name', 'n', 'true'))).toEqual(
      argv('launch', 'img', '--json', '--name', 'n', '--', 'true'),
    );
    expect(markLaunchCommand(p, argv('--context', 'ci', 'launch', 'img', '--no-daemon'))).toEqual(
      argv('--context', 'ci', 'launch', 'img', '--no-daemon'),
    );
    expect(markLaunchCommand(p, argv('boxes', '--json'))).toEqual(argv('boxes', '--json'));
    expect(markLaunchCommand(p, argv('launch', 'img', '--', 'ls', '-l'))).toEqual(
      argv('launch', 'img', '--', 'ls', '-l'),
    );
  });

  it('./relative -v paths resolve against the current directory; the rest stays as written', () => {
    expect(cliMount('./x:/y:ro', '/home/me')).toEqual({
      type: 'bind',
      source: '/home/me/x',
      target: '/y',
      readOnly: true,
    });
    expect(cliMount('../x:/y', '/home/me')).toEqual({ type: 'bind', source: '/home/x', target: '/y' });
    expect(cliMount('vol:/y', '/home/me')).toEqual({ type: 'volume', source: 'vol', target: '/y' });
  });

  it('--entrypoint is one executable; an empty one clears; --cmd and words after IMAGE do not mix', () => {
    const base = { env: [], volume: [], publish: [], label: [], pull: 'missing', daemon: true };
    expect(cliLaunchOptions({ ...base, entrypoint: '' }, ['echo', 'hi'])).toEqual({
      entrypoint: [],
      cmd: ['echo', 'hi'],
    });
    expect(cliLaunchOptions({ ...base, entrypoint: '/bin/sh', cmd: "-c 'echo hi'" }, [])).toEqual({
      entrypoint: ['/bin/sh'],
      cmd: ['-c', 'echo hi'],
    });
    expect(() => cliLaunchOptions({ ...base, cmd: 'x' }, ['y'])).toThrow('not both');
    expect(cliLaunchOptions({ ...base, publish: ['127.0.0.1:8080:80/udp'], label: ['a=b=c'] }, [])).toEqual({
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }],
      labels: { a: 'b=c' },
    });
  });
});
