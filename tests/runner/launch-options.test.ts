/**
 * Launch options on the real engine through a real core, and the CLI's
 * spelling of them (docs/CONTRACTS.md, "Box lifecycle" and "CLI"): command
 * and entrypoint overrides, binds (read-only too), workdir, user, labels,
 * restart policy, published ports as the engine is told them, a real
 * connection on network host, the container named after the box, the spec
 * kept for "Run again" across a restart, and refusals that create nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, LaunchRequest } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { checkRequest, newBoxId } from '../../electron/core/runner/box-spec.js';
import { credentialsFor } from '../../electron/core/runner/instances.js';
import { launchSteps } from '../../electron/core/runner/launch-steps.js';
import {
  buildCli,
  buildImage,
  docker,
  freePort,
  HOME_LABEL,
  runCli,
  tempHome,
  waitFor,
  type TempHome,
  endCore,
} from '../fixtures/index.js';

const IMAGE = 'boxscope-test/launch-options:1';
let h: TempHome;
let core: Core;
let hostDir: string;
let network: string | undefined;

beforeAll(async () => {
  await Promise.all([buildImage(IMAGE, { applets: ['id', 'pwd', 'touch', 'mkdir', 'httpd', 'nc'] }), buildCli()]);
  h = tempHome();
  h.env.BOXSCOPE_EXIT_GRACE_MS = '400';
  core = await createCore({ host: 'cli', env: h.env });
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-bind-'));
  // A box running as another user must be able to reach it.
  fs.chmodSync(hostDir, 0o755);
  fs.writeFileSync(path.join(hostDir, 'hello.txt'), 'hello from the host\n');
}, 120_000);

afterAll(async () => {
  await endCore(core, h);
  if (network)
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
  if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true });
});

async function logsOf(boxId: string, want: string): Promise<string> {
  return waitFor(async () => {
    const text = await core.api.call('boxes:logs', { boxId });
    return text.includes(want) ? text : undefined;
  }, `"${want}" in the logs of ${boxId}`);
}

async function containersOfHome(): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`${HOME_LABEL}=${h.home}`] } })).length;
}

describe('launch options reach the engine', () => {
  it('command override, read-only bind, workdir and user: the box reads the host file and cannot write', async () => {
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      daemon: false,
      cmd: [
        'sh',
        '-c',
        'cat /data/hello.txt; echo "cwd=$(pwd) uid=$(id -u)"; touch /data/x || echo write-refused; sleep 3600',
      ],
      mounts: [{ type: 'bind', source: hostDir, target: '/data', readOnly: true }],
      workdir: '/tmp',
      user: '1234:1234',
    });
    const logs = await logsOf(r.boxId, 'write-refused');
    expect(logs).toContain('hello from the host');
    expect(logs).toContain('cwd=/tmp uid=1234');
    expect(logs).toMatch(/Read-only file system/);
    expect(fs.existsSync(path.join(hostDir, 'x'))).toBe(false);
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.Config.Cmd).toEqual(['sh', '-c', expect.stringContaining('cat /data/hello.txt')]);
    expect(info.Config.WorkingDir).toBe('/tmp');
    expect(info.Config.User).toBe('1234:1234');
    expect(info.HostConfig.Mounts).toEqual([{ Type: 'bind', Source: hostDir, Target: '/data', ReadOnly: true }]);
  });

  it('a writable bind: the box writes a file the host sees', async () => {
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      daemon: false,
      cmd: ['sh', '-c', 'echo written-in-box > /data/out.txt && echo wrote; sleep 3600'],
      mounts: [{ type: 'bind', source: hostDir, target: '/data' }],
    });
    await logsOf(r.boxId, 'wrote');
    expect(fs.readFileSync(path.join(hostDir, 'out.txt'), 'utf8')).toBe('written-in-box\n');
    fs.rmSync(path.join(hostDir, 'out.txt'), { force: true });
  });

  it('with the daemon, it still wraps the overridden entrypoint and command', async () => {
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      entrypoint: ['sh', '-c'],
      cmd: ['echo "via daemon $0"; sleep 3600', 'arg0'],
    });
    await logsOf(r.boxId, 'via daemon arg0');
    const info = await docker.getContainer(r.containerId).inspect();
    const ep = info.Config.Entrypoint as string[];
    expect(ep[0]).toMatch(/^\/\.boxlite\//);
    expect(ep.slice(ep.indexOf('--') + 1)).toEqual(['sh', '-c', 'echo "via daemon $0"; sleep 3600', 'arg0']);
  });

  it('entrypoint [] clears the image entrypoint; a command alone runs', async () => {
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      daemon: false,
      entrypoint: [],
      cmd: ['sh', '-c', 'echo cleared-entrypoint; sleep 3600'],
    });
    await logsOf(r.boxId, 'cleared-entrypoint');
  });

  it('labels (the user’s and Boxscope’s), restart policy and published ports as the engine shows them', async () => {
    network = `boxscope-test-net-${Date.now().toString(36)}`;
    await docker.createNetwork({ Name: network, Labels: { [HOME_LABEL]: h.home } });
    const hostPort = await freePort();
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      daemon: false,
      network,
      labels: { team: 'payments', 'com.example.tier': 'dev' },
      restart: 'on-failure',
      restartMaxRetries: 3,
      ports: [
        { containerPort: 80, hostPort },
        { containerPort: 53, protocol: 'udp' },
        { containerPort: 81, hostPort: 0, hostIp: '0.0.0.0' },
      ],
    });
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.Config.Labels).toMatchObject({
      team: 'payments',
      'com.example.tier': 'dev',
      'boxscope.managed': 'true',
      'boxlite.box.id': r.boxId,
      [HOME_LABEL]: h.home,
    });
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(info.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '81/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }],
    });
    expect(Object.keys(info.Config.ExposedPorts ?? {}).sort()).toEqual(['53/udp', '80/tcp', '81/tcp']);
    expect(info.HostConfig.NetworkMode).toBe(network);
  });

  it('network host: a server in the box answers on loopback', async () => {
    const port = await freePort();
    const r = await core.api.call('boxes:launch', {
      image: IMAGE,
      daemon: false,
      network: 'host',
      cmd: [
        'sh',
        '-c',
        `mkdir -p /tmp/www && echo served-by-the-box > /tmp/www/index.html && echo serving && exec httpd -f -p 127.0.0.1:${port} -h /tmp/www`,
      ],
    });
    await logsOf(r.boxId, 'serving');
    const body = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/index.html`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    }, 'the box’s httpd');
    expect(body).toBe('served-by-the-box\n');
  });

  it('the container gets the box’s name, given or generated', async () => {
    const r = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
    const box = (await core.api.call('boxes:list')).find((b) => b.boxId === r.boxId)!;
    expect(box.name).toMatch(/^launch-options-[0-9a-f]{6}$/);
    expect((await docker.getContainer(r.containerId).inspect()).Name).toBe(`/${box.name}`);
    const named = `opts-named-${Date.now().toString(36)}`;
    const r2 = await core.api.call('boxes:launch', { image: IMAGE, daemon: false, name: named });
    expect((await docker.getContainer(r2.containerId).inspect()).Name).toBe(`/${named}`);
    await expect(core.api.call('boxes:launch', { image: IMAGE, daemon: false, name: named })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `A container named "${named}" already exists: choose another --name`,
    });
  });
});

describe('a generated name already taken', () => {
  it('gets a fresh suffix instead of failing the launch', async () => {
    const taken = `launch-options-${Date.now().toString(16).slice(-6)}`;
    await docker.createContainer({ name: taken, Image: IMAGE, Labels: { [HOME_LABEL]: h.home } });
    const req: LaunchRequest = { image: IMAGE, daemon: false };
    const box: Box = {
      boxId: newBoxId(),
      name: taken,
      image: IMAGE,
      traceId: '5'.repeat(32),
      state: 'creating',
      createdAt: Date.now(),
      daemon: false,
    };
    const r = await launchSteps({
      ctx: core.ctx,
      credentials: credentialsFor(core.ctx),
      docker,
      req,
      checked: checkRequest(req),
      box,
      parent: ROOT_CONTEXT,
      signal: new AbortController().signal,
      warnings: [],
      changed: () => undefined,
      engineArch: async () => 'amd64',
      onCreated: () => undefined,
      logs: async () => '',
    });
    expect(box.name).not.toBe(taken);
    expect(box.name).toMatch(/^launch-options-[0-9a-f]{6}$/);
    const info = await docker.getContainer(r.containerId).inspect();
    expect(info.Name).toBe(`/${box.name}`);
    expect(info.Config.Labels['boxlite.box.name']).toBe(box.name);
  });
});

describe('refused before anything is created', () => {
  const cases: Array<[string, Partial<LaunchRequest>, string]> = [
    [
      'a relative host path',
      { mounts: [{ type: 'bind', source: 'data', target: '/data' }] },
      'Host path "data" must be absolute (start with /)',
    ],
    [
      'a missing host path',
      { mounts: [{ type: 'bind', source: '/no/such/boxscope/dir', target: '/data' }] },
      'Host path /no/such/boxscope/dir does not exist on this machine',
    ],
    [
      'a mount at /.boxlite',
      { mounts: [{ type: 'volume', source: 'vol1', target: '/.boxlite/run' }] },
      '/.boxlite is where Boxscope mounts its own files: mount elsewhere',
    ],
    [
      'a reserved label',
      { labels: { 'boxscope.home': '/elsewhere' } },
      'Label "boxscope.home": names starting boxlite. or boxscope. are Boxscope\'s',
    ],
    [
      'ports on network none',
      { network: 'none', ports: [{ containerPort: 80, hostPort: 8080 }] },
      'A box on network "none" has no ports to publish: choose a bridge network (or "host", which needs none)',
    ],
    ['a relative workdir', { workdir: 'tmp' }, 'Working directory "tmp" must be absolute (start with /)'],
  ];
  for (const [what, extra, message] of cases)
    it(`${what}: INVALID_INPUT in the rule's words, no box, no container`, async () => {
      const before = (await core.api.call('boxes:list')).length;
      const containers = await containersOfHome();
      await expect(
        core.api.call('boxes:launch', { image: IMAGE, daemon: false, ...extra } as LaunchRequest),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', message });
      expect((await core.api.call('boxes:list')).length).toBe(before);
      expect(await containersOfHome()).toBe(containers);
      // boxes:validate finds the same problem, with its field.
      const problems = await core.api.call('boxes:validate', { image: IMAGE, ...extra } as LaunchRequest);
      expect(problems.map((p) => p.message)).toContain(message);
    });

  it('boxes:validate: nothing to say about a good request; names the mount field of a missing path', async () => {
    expect(
      await core.api.call('boxes:validate', {
        image: IMAGE,
        mounts: [{ type: 'bind', source: hostDir, target: '/data', readOnly: true }],
      }),
    ).toEqual([]);
    expect(
      await core.api.call('boxes:validate', {
        image: IMAGE,
        mounts: [
          { type: 'bind', source: hostDir, target: '/a' },
          { type: 'bind', source: `${hostDir}/missing`, target: '/b' },
        ],
      }),
    ).toEqual([{ field: 'mounts.1', message: `Host path ${hostDir}/missing does not exist on this machine` }]);
  });
});

describe('the spec is kept for Run again', () => {
  it('boxes:list after a restart of the app carries the launch spec, without trace context; so does an orphan', async () => {
    const req: LaunchRequest = {
      image: IMAGE,
      daemon: false,
      cmd: ['sh', '-c', 'echo spec-kept; sleep 3600'],
      env: { MODE: 'dev' },
      workdir: '/tmp',
      labels: { team: 'x' },
      mounts: [{ type: 'bind', source: hostDir, target: '/data', readOnly: true }],
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      requestId: 'req-12345678',
    };
    const r = await core.api.call('boxes:launch', req);
    const orphan = await core.api
      .call('boxes:launch', { image: 'boxscope-test/absent-for-spec:1', pull: 'never', cmd: ['true'] })
      .then(
        () => undefined,
        (e: { details: { boxId: string } }) => e.details.boxId,
      );
    const { traceparent: _t, requestId: _r, ...spec } = req;
    const again = await createCore({ host: 'cli', env: h.env });
    try {
      const list = await again.api.call('boxes:list');
      expect(list.find((b) => b.boxId === r.boxId)?.spec).toEqual(spec);
      expect(list.find((b) => b.boxId === orphan)).toMatchObject({
        state: 'failed',
        spec: { image: 'boxscope-test/absent-for-spec:1', pull: 'never', cmd: ['true'] },
      });
    } finally {
      await again.close();
    }
    const mode = fs.statSync(path.join(h.home, 'boxes.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe('boxscope launch with options', () => {
  it('IMAGE then the command; -v, -w, --label, --restart, -u as docker run spells them', async () => {
    const r = await runCli(
      [
        'launch',
        '--no-daemon',
        '--json',
        '-v',
        `${hostDir}:/data:ro`,
        '-w',
        '/data',
        '-u',
        '1234',
        '--label',
        'team=cli',
        '--restart',
        'on-failure:2',
        IMAGE,
        'sh',
        '-c',
        'echo hi; cat hello.txt; sleep 3600',
      ],
      { env: h.env },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { boxId: string; containerId: string };
    const logs = await logsOf(out.boxId, 'hello from the host');
    expect(logs).toContain('hi');
    const info = await docker.getContainer(out.containerId).inspect();
    expect(info.Config.Cmd).toEqual(['sh', '-c', 'echo hi; cat hello.txt; sleep 3600']);
    expect(info.Config.WorkingDir).toBe('/data');
    expect(info.Config.User).toBe('1234');
    expect(info.Config.Labels.team).toBe('cli');
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    expect(info.HostConfig.Mounts).toEqual([{ Type: 'bind', Source: hostDir, Target: '/data', ReadOnly: true }]);
  });

  it('options right after IMAGE are still launch’s; words after the command’s first are the command’s', async () => {
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json', 'sh', '-c', 'echo "-v is mine"; sleep 3600'], {
      env: h.env,
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { boxId: string };
    expect(await logsOf(out.boxId, '-v is mine')).toContain('-v is mine');
  });

  it('./relative -v paths resolve against the current directory, as docker run does', async () => {
    // runCli runs in the repository root.
    const r = await runCli(
      ['launch', '--no-daemon', '--json', '-v', './tests/fixtures:/fx:ro', IMAGE, 'sh', '-c', 'ls /fx; sleep 3600'],
      { env: h.env },
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { containerId: string; boxId: string };
    await logsOf(out.boxId, 'images.ts');
    const info = await docker.getContainer(out.containerId).inspect();
    expect(info.HostConfig.Mounts?.[0]?.Source).toBe(path.resolve('tests/fixtures'));
  });

  it('bad options exit 2 with one line, and create nothing', async () => {
    const containers = await containersOfHome();
    for (const [args, line] of [
      [['-v', 'relative/x:/y'], 'boxscope: Host path "relative/x" must be absolute (start with /)\n'],
      [['-v', 'bad!name:/y'], `boxscope: Volume name "bad!name" may use letters, digits, '_', '.', '-'\n`],
      [
        ['-v', '/no/such/boxscope/dir:/y'],
        'boxscope: Host path /no/such/boxscope/dir does not exist on this machine\n',
      ],
      [
        ['-p', '80'],
        'boxscope: A box on network "none" has no ports to publish: choose a bridge network (or "host", which needs none)\n',
      ],
      [
        ['--restart', 'sometimes'],
        'boxscope: --restart "sometimes" is not a restart policy: no, on-failure, always, unless-stopped (on-failure:N for at most N restarts)\n',
      ],
      [
        ['--label', 'boxlite.box.id=x'],
        `boxscope: Label "boxlite.box.id": names starting boxlite. or boxscope. are Boxscope's\n`,
      ],
      [['-p', 'abc'], 'boxscope: -p/--publish "abc": the box port "abc" is not a number\n'],
    ] as Array<[string[], string]>) {
      const r = await runCli(['launch', '--no-daemon', ...args, IMAGE], { env: h.env });
      expect(r.stderr).toBe(line);
      expect(r.code).toBe(2);
    }
    expect(await containersOfHome()).toBe(containers);
  });
});
