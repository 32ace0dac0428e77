/**
 * Launch and pull speed against Docker's own CLI, measured in the same run,
 * alternating the sides run by run:
 *   - `boxscope launch IMAGE` (cached image; --no-daemon, and with the daemon) vs `docker run -d IMAGE`
 *   - the runner's pull from a local TLS registry vs `docker pull` (image removed between runs)
 * The app's own launch (a core that stays up, as behind the UI's Launch
 * button) is measured too. A further side, a bare Node script that only creates and starts the
 * container through dockerode, shows what that client costs per call; a bare Node script sending the
 * same two requests over node:http (no library) is the floor any per-call Node process has.
 * `boxscope launch` typed while `boxscope serve` runs (bin/boxscope → the quick launcher → that core) is
 * measured as well: the path a user with the UI open in a browser takes.
 * Run: node --import tsx bench/launch.bench.ts [--runs 15] [--pull-runs 8]
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { connectEngine } from '../electron/core/docker/engine.js';
import { pullImage } from '../electron/core/runner/pull.js';
import { createCore } from '../electron/core/service.js';
import {
  buildCli,
  buildImage,
  docker,
  pushImage,
  removeBoxesOfHome,
  removeImage,
  ROOT,
  run,
  runCli,
  startRegistry,
  startServe,
  tempHome,
  type RunningServe,
} from '../tests/fixtures/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 15);
const PULL_RUNS = arg('--pull-runs', 8);
const IMAGE = 'boxscope-bench/busybox:1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function daemonDir(): string | undefined {
  const name = `boxlite-daemon-linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
  const inRepo = path.join(ROOT, 'daemon', 'bin');
  if (fs.existsSync(path.join(inRepo, name))) return inRepo;
  if (fs.existsSync(path.join(ROOT, 'scripts', 'build-daemon.sh'))) {
    spawnSync('bash', [path.join(ROOT, 'scripts', 'build-daemon.sh')], { cwd: ROOT, stdio: 'ignore' });
    if (fs.existsSync(path.join(inRepo, name))) return inRepo;
  }
  const out = path.join(ROOT, '.bench', 'daemon');
  fs.mkdirSync(out, { recursive: true });
  const r = spawnSync('go', ['build', '-o', path.join(out, name), '.'], {
    cwd: path.join(ROOT, 'daemon'),
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: 'ignore',
  });
  return r.status === 0 ? out : undefined;
}

function report(title: string, rows: Array<[string, number[]]>, baseline: number[]): void {
  const b = median(baseline);
  console.log(`\n${title}`);
  for (const [name, xs] of rows)
    console.log(
      `  ${name.padEnd(44)} median ${ms(median(xs)).padStart(7)}   ratio vs baseline ${(median(xs) / b).toFixed(2)}`,
    );
}

/** A bundled Node script doing nothing but dockerode create + start: the per-process floor. */
async function nodeFloorScript(): Promise<string> {
  const dir = path.join(ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'node-floor.mjs');
  fs.writeFileSync(
    src,
    [
      "import Docker from 'dockerode';",
      'const d = new Docker();',
      `const c = await d.createContainer({ Image: '${IMAGE}', Labels: { 'boxscope.bench': '1' }, HostConfig: { NetworkMode: 'none' } });`,
      'await c.start();',
      'console.log(c.id);',
    ].join('\n'),
  );
  const out = path.join(dir, 'node-floor.bundle.mjs');
  await build({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['cpu-features', 'ssh2', '@grpc/grpc-js', '@grpc/proto-loader'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
    nodePaths: [path.join(ROOT, 'node_modules')],
  });
  return out;
}

/** A Node script with no library: create + start over node:http on the engine's socket, the floor of any Node CLI. */
function nodeHttpFloorScript(): string {
  const dir = path.join(ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'node-http-floor.mjs');
  const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  fs.writeFileSync(
    out,
    [
      "import http from 'node:http';",
      `const call = (method, p, body) => new Promise((resolve, reject) => {`,
      `  const r = http.request({ socketPath: ${JSON.stringify(socketPath)}, method, path: p, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {`,
      "    let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => (res.statusCode < 300 ? resolve(d) : reject(new Error(d))));",
      '  });',
      "  r.on('error', reject); r.end(body ? JSON.stringify(body) : undefined);",
      '});',
      `const c = JSON.parse(await call('POST', '/containers/create', { Image: '${IMAGE}', Labels: { 'boxscope.bench': '1' }, HostConfig: { NetworkMode: 'none' } }));`,
      "await call('POST', `/containers/${c.Id}/start`);",
      'console.log(c.Id);',
    ].join('\n'),
  );
  return out;
}

async function launchBench(): Promise<void> {
  await buildCli();
  await buildImage(IMAGE);
  const h = tempHome();
  const dd = daemonDir();
  if (dd) h.env.BOXSCOPE_DAEMON_DIR = dd;
  const cli: number[] = [];
  const cliDaemon: number[] = [];
  const dockerRun: number[] = [];
  const floor: number[] = [];
  const httpFloor: number[] = [];
  const app: number[] = [];
  const appDaemon: number[] = [];
  const quick: number[] = [];
  const quickDaemon: number[] = [];
  const floorScript = await nodeFloorScript();
  const httpFloorScript = nodeHttpFloorScript();
  // The app's own launch: the core stays up, as behind the UI's Launch button.
  const core = await createCore({ host: 'cli', env: h.env });
  // `boxscope launch` as typed (bin/boxscope) while `boxscope serve` runs: the quick launcher's path.
  const hq = tempHome();
  if (dd) hq.env.BOXSCOPE_DAEMON_DIR = dd;
  let serve: RunningServe | undefined;
  try {
    serve = await startServe(hq.env);
    const quickLaunch = async (extra: string[], env = hq.env) => {
      const r = await run(path.join(ROOT, 'bin', 'boxscope'), ['launch', IMAGE, '--json', ...extra], { env });
      if (r.code !== 0) throw new Error(`boxscope launch (quick) failed: ${r.stderr.trim()}`);
      return { id: JSON.parse(r.stdout).containerId as string, stderr: r.stderr };
    };
    const appLaunch = async (daemon: boolean) =>
      (await core.api.call('boxes:launch', { image: IMAGE, daemon })).containerId;
    const launch = async (extra: string[]) => {
      const r = await runCli(['launch', IMAGE, '--json', ...extra], { env: h.env });
      if (r.code !== 0) throw new Error(`boxscope launch failed: ${r.stderr.trim()}`);
      return JSON.parse(r.stdout).containerId as string;
    };
    const drun = async () => {
      const r = await run('docker', ['run', '-d', '--network', 'none', '--label', 'boxscope.bench=1', IMAGE]);
      if (r.code !== 0) throw new Error(`docker run failed: ${r.stderr.trim()}`);
      return r.stdout.trim();
    };
    const rm = (id: string) => docker.getContainer(id).remove({ force: true });
    const nodeFloor = async (script = floorScript) => {
      const r = await run(process.execPath, [script]);
      if (r.code !== 0) throw new Error(`node floor script failed: ${r.stderr.trim()}`);
      return r.stdout.trim();
    };
    // Warm both sides (page cache, engine) before measuring.
    await rm(await launch(['--no-daemon']));
    await rm(await drun());
    if (dd) await rm(await launch([]));
    await rm(await appLaunch(false));
    const probe = await quickLaunch(['--no-daemon'], { ...hq.env, BOXSCOPE_DEBUG: '1' });
    await rm(probe.id);
    const quickOn = /through the running core/.test(probe.stderr);
    if (!quickOn) console.log(`  (the quick launcher did not go through serve: ${probe.stderr.trim().slice(0, 200)})`);
    for (let i = 0; i < RUNS; i++) {
      let id = '';
      dockerRun.push(await timed(async () => void (id = await drun())));
      await rm(id);
      cli.push(await timed(async () => void (id = await launch(['--no-daemon']))));
      await rm(id);
      floor.push(await timed(async () => void (id = await nodeFloor())));
      await rm(id);
      httpFloor.push(await timed(async () => void (id = await nodeFloor(httpFloorScript))));
      await rm(id);
      app.push(await timed(async () => void (id = await appLaunch(false))));
      await rm(id);
      if (dd) {
        appDaemon.push(await timed(async () => void (id = await appLaunch(true))));
        await rm(id);
      }
      if (dd) {
        cliDaemon.push(await timed(async () => void (id = await launch([]))));
        await rm(id);
      }
      if (quickOn) {
        quick.push(await timed(async () => void (id = (await quickLaunch(['--no-daemon'])).id)));
        await rm(id);
        if (dd) {
          quickDaemon.push(await timed(async () => void (id = (await quickLaunch([])).id)));
          await rm(id);
        }
      }
    }
  } finally {
    await serve?.stop();
    await removeBoxesOfHome(hq.home);
    hq.cleanup();
    await core.close();
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  report(
    `Launch of a cached image to running, ${RUNS} runs each, alternating (baseline: docker run -d)`,
    [
      ['docker run -d (baseline)', dockerRun],
      ['node + node:http create/start only', httpFloor],
      ['node + dockerode create/start only', floor],
      ['app launch, --no-daemon (in-process core)', app],
      ...(dd ? ([['app launch, with daemon (in-process core)', appDaemon]] as Array<[string, number[]]>) : []),
      ['boxscope launch --no-daemon', cli],
      ...(dd ? ([['boxscope launch (with daemon)', cliDaemon]] as Array<[string, number[]]>) : []),
      ...(quick.length ? ([['boxscope launch --no-daemon, serve up', quick]] as Array<[string, number[]]>) : []),
      ...(quickDaemon.length
        ? ([['boxscope launch (daemon), serve up', quickDaemon]] as Array<[string, number[]]>)
        : []),
    ],
    dockerRun,
  );
  if (!dd) console.log('  (daemon not built: the with-daemon side was skipped)');
}

async function pullBench(): Promise<void> {
  const user = { username: 'bench', password: 'bench-secret' };
  const reg = await startRegistry({ users: [user] });
  const h = tempHome();
  h.writeDockerConfig({
    auths: { [reg.host]: { auth: Buffer.from(`${user.username}:${user.password}`).toString('base64') } },
  });
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    const img = await pushImage(reg, 'bench/layered:1', { layers: 4, layerBytes: 4 * 1024 * 1024 });
    const engine = connectEngine(process.env);
    const auth = { username: user.username, password: user.password, serveraddress: reg.host };
    for (let i = 0; i < PULL_RUNS; i++) {
      await removeImage(img.ref);
      theirs.push(
        await timed(async () => {
          const r = await run('docker', ['pull', '-q', img.ref], { env: h.env });
          if (r.code !== 0) throw new Error(`docker pull failed: ${r.stderr.trim()}`);
        }),
      );
      await removeImage(img.ref);
      ours.push(await timed(async () => void (await pullImage(engine, img.ref, { authconfig: auth }))));
    }
    await removeImage(img.ref);
  } finally {
    h.cleanup();
    await reg.stop();
  }
  report(
    `Pull of a 4 x 4 MiB-layer image from a local TLS registry, ${PULL_RUNS} runs each, alternating (baseline: docker pull)`,
    [
      ['docker pull (baseline)', theirs],
      ['runner pull (dockerode, progress)', ours],
    ],
    theirs,
  );
}

await launchBench();
await pullBench();
