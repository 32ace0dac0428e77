// The layers, as docs/ARCHITECTURE.md draws them, enforced on every import:
//   shared/             contracts only: imports nothing outside shared/ (no Node, no DOM)
//   renderer/           the UI: reaches the core only through window.boxscope (shared/ types)
//   electron/core/      plain Node: never a host, never `electron`
//   electron/host-common/  what the hosts share (wire session, CSP): core and shared only
//   hosts               electron-main, electron-utility, server, cli: never each other
//                       (the CLI's `serve` starts browser mode, so cli → server is the one edge)
const hosts = ['electron/electron-main', 'electron/electron-utility', 'electron/server', 'electron/cli'];

const zones = [
  {
    target: './shared',
    from: './',
    except: ['./shared', './node_modules'],
    message: 'shared/ imports nothing outside it.',
  },
  {
    target: './renderer/src',
    from: './electron',
    message: 'The renderer reaches the core only through window.boxscope.',
  },
  {
    target: './electron/core',
    from: [...hosts.map((h) => `./${h}`), './electron/host-common', './renderer'],
    message: 'Core code never imports a host.',
  },
  {
    target: './electron/host-common',
    from: [...hosts.map((h) => `./${h}`), './renderer'],
    message: 'host-common serves every host; it imports none.',
  },
  ...hosts.map((h) => ({
    target: `./${h}`,
    from: hosts.filter((o) => o !== h && !(h === 'electron/cli' && o === 'electron/server')).map((o) => `./${o}`),
    message: 'Hosts never import each other; share code through electron/host-common.',
  })),
];

export default zones;
