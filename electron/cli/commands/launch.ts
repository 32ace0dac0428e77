/** `boxscope launch IMAGE …` (docs/CONTRACTS.md, CLI): the CLI's own `box.create` span is the trace's root. */
import path from 'node:path';
import type { Command } from 'commander';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import {
  parseLabel,
  parseMount,
  parsePort,
  parseRestart,
  RESERVED_BOX_DIR,
  splitCommand,
} from '../../../shared/launch-rules.js';
import { PULL_POLICIES, type LaunchSpec, type PullPolicy, type PullProgress } from '../../../shared/models.js';
import type { Core } from '../../core/service.js';
import { actionCode, runAction } from '../run.js';

interface LaunchOptions {
  name?: string;
  env: string[];
  cmd?: string;
  entrypoint?: string;
  volume?: string[];
  publish?: string[];
  workdir?: string;
  user?: string;
  label?: string[];
  restart?: string;
  network?: string;
  pull: string;
  traceparent?: string;
  daemon: boolean;
  json?: boolean;
}

export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new BoxscopeError('INVALID_INPUT', `--env expects KEY=VALUE, got "${p.split('=')[0]}"`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export function progressLine(p: PullProgress): string {
  const pct = p.bytesTotal ? Math.floor((100 * p.bytesCurrent) / p.bytesTotal) : 0;
  return `pulling ${p.image}: ${p.layersDone}/${p.layersTotal} layers, ${fmtBytes(p.bytesCurrent)}/${fmtBytes(p.bytesTotal)} (${pct}%)`;
}

const collect = (v: string, acc: string[] = []) => [...acc, v];

/**
 * Where a launch's output goes and what it launches through: this process (a
 * core of its own, closed at the end) or a core that stays up (`boxscope
 * serve`), handed the command by the quick launcher (docs/CLI-SPEED.md).
 */
export interface LaunchIo {
  out(s: string): void;
  err(s: string): void;
  /** stderr is a terminal: pull progress is drawn there. */
  errTTY: boolean;
  /** The caller's directory: ./relative bind sources resolve against it. */
  cwd: string;
  /** Aborted when the caller cancels (its Ctrl-C, or its connection closed). */
  signal: AbortSignal;
  /** The core to launch through, left open. */
  core: Core;
}

/** One bad option: exit 2 with one line, as commander's own usage errors do. */
function bad(flag: string, err: unknown): never {
  throw new BoxscopeError('INVALID_INPUT', `${flag} ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * `-v SRC:DST[:ro]` as docker run reads it: SRC absolute, or `.`/`./…`/`../…`
 * (resolved against the current directory), else a volume name.
 */
export function cliMount(text: string, cwd = process.cwd()): ReturnType<typeof parseMount> {
  const m = parseMount(text);
  if (/^\.\.?(\/|$)/.test(m.source)) return { ...m, type: 'bind', source: path.resolve(cwd, m.source) };
  return m;
}

/** The launch options of the CLI as a LaunchSpec's fields (docs/CONTRACTS.md, CLI). */
export function cliLaunchOptions(o: LaunchOptions, command: string[], cwd = process.cwd()): Partial<LaunchSpec> {
  const out: Partial<LaunchSpec> = {};
  if (o.cmd !== undefined && command.length)
    throw new BoxscopeError('INVALID_INPUT', 'Give the command after the image or with --cmd, not both');
  if (command.length) out.cmd = command;
  else if (o.cmd !== undefined) {
    try {
      out.cmd = splitCommand(o.cmd);
    } catch (e) {
      bad('--cmd', e);
    }
  }
  // As docker run's --entrypoint: one executable; '' clears the image's entrypoint.
  if (o.entrypoint !== undefined) out.entrypoint = o.entrypoint === '' ? [] : [o.entrypoint];
  if (o.workdir !== undefined) out.workdir = o.workdir;
  if (o.user !== undefined) out.user = o.user;
  if (o.volume?.length)
    out.mounts = o.volume.map((v) => {
      try {
        return cliMount(v, cwd);
      } catch (e) {
        return bad('-v/--volume', e);
      }
    });
  if (o.publish?.length)
    out.ports = o.publish.map((p) => {
      try {
        return parsePort(p);
      } catch (e) {
        return bad('-p/--publish', e);
      }
    });
  if (o.label?.length) {
    out.labels = {};
    for (const l of o.label) {
      try {
        const [k, v] = parseLabel(l);
        out.labels[k] = v;
      } catch (e) {
        bad('--label', e);
      }
    }
  }
  if (o.restart !== undefined) {
    try {
      Object.assign(out, parseRestart(o.restart));
    } catch (e) {
      bad('--restart', e);
    }
  }
  return out;
}

/**
 * Marks where the box's command starts, as docker run reads it: the first
 * word after IMAGE that is not one of launch's own options begins the
 * command, and everything from there (`-c`, `-v`…) is the command's. A `--`
 * is put before it so the option parser leaves it alone.
 */
export function markLaunchCommand(program: Command, argv: string[]): string[] {
  const launchCmd = program.commands.find((c) => c.name() === 'launch');
  if (!launchCmd) return argv;
  const opts = [...program.options, ...launchCmd.options];
  const takesValue = (arg: string): boolean | undefined => {
    if (arg.startsWith('--') && arg.includes('=')) return false;
    const o = opts.find((x) => x.long === arg || x.short === arg || (x.negate && x.long === arg));
    if (!o) return undefined;
    return o.required || o.optional;
  };
  const args = argv.slice(2);
  let i = 0;
  // Program options, then the subcommand.
  while (i < args.length && args[i].startsWith('-') && args[i] !== '--') i += takesValue(args[i]) ? 2 : 1;
  if (args[i] !== 'launch') return argv;
  i++;
  let image = false;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return argv;
    if (a.startsWith('-') && a !== '-') {
      const v = takesValue(a);
      if (v === undefined) {
        if (image) break; // an option of no one's before the command: let the parser say so
        return argv;
      }
      if (v) i++;
      continue;
    }
    if (!image) {
      image = true;
      continue;
    }
    return [...argv.slice(0, 2 + i), '--', ...args.slice(i)];
  }
  return argv;
}

/** `quick`: the command runs inside a core that stays up, its output and exit code going to the caller. */
export function registerLaunch(program: Command, quick?: { io: LaunchIo; done(code: number): void }): void {
  program
    .command('launch')
    .description(
      'Launch a box from IMAGE and print its id; the whole launch is one trace. Words after IMAGE (and its options) are the command, as with docker run',
    )
    .argument('<image>', 'image reference, e.g. ghcr.io/acme/app:1')
    .argument('[command...]', "the box's command, replacing the image's CMD")
    .option('--name <name>', 'box (and container) name')
    .option(
      '--env <KEY=VALUE>',
      'environment variable for the box (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--cmd <line>', "the box's command as one line (instead of words after IMAGE)")
    .option('--entrypoint <path>', "replace the image's entrypoint ('' clears it)")
    .option(
      '-v, --volume <src:dst[:ro]>',
      `bind a host path (absolute or ./relative) or a volume (repeatable; not at ${RESERVED_BOX_DIR})`,
      collect,
    )
    .option(
      '-p, --publish <[ip:][host:]box[/udp]>',
      'publish a box port (repeatable; host IP 127.0.0.1 unless given)',
      collect,
    )
    .option('-w, --workdir <dir>', 'working directory in the box')
    .option('-u, --user <user>', 'uid, uid:gid, name or name:group')
    .option('--label <KEY=VALUE>', 'label the box (repeatable; not boxlite.* or boxscope.*)', collect)
    .option('--restart <policy>', 'no | on-failure[:N] | always | unless-stopped')
    .option('--network <mode>', 'engine network mode (none, host, …)', 'none')
    .option('--pull <policy>', PULL_POLICIES.join(' | '), 'missing')
    .option('--traceparent <tp>', "continue a caller's W3C trace (e.g. a CI job's)")
    .option('--no-daemon', 'launch without the in-box daemon')
    .option('--json', 'print {"boxId","containerId","image","imageDigest","traceId","state"}')
    .action((image: string, command: string[], o: LaunchOptions) =>
      quick
        ? actionCode(() => launch(image, command, o, quick.io), quick.io.err).then(quick.done)
        : runAction(() => launch(image, command, o)),
    );
}

async function launch(image: string, command: string[], o: LaunchOptions, given?: LaunchIo): Promise<number> {
  if (!(PULL_POLICIES as readonly string[]).includes(o.pull))
    throw new BoxscopeError('INVALID_INPUT', `--pull must be one of ${PULL_POLICIES.join(', ')}, got "${o.pull}"`);
  const env = parseEnvPairs(o.env);
  const options = cliLaunchOptions(o, command, given?.cwd);
  const [api, { parentContext, injectFrom }, { randomUUID }] = await Promise.all([
    import('@opentelemetry/api'),
    import('../../core/runner/tracing.js'),
    import('node:crypto'),
  ]);
  const out = given?.out ?? ((s: string) => void process.stdout.write(s));
  const err = given?.err ?? ((s: string) => void process.stderr.write(s));
  let parent = api.ROOT_CONTEXT;
  if (o.traceparent !== undefined) {
    const tp = parentContext(o.traceparent);
    if (tp.ctx) parent = tp.ctx;
    else
      err(
        `boxscope: --traceparent "${o.traceparent.slice(0, 80)}" is not a valid W3C traceparent; starting a new trace\n`,
      );
  }
  const core = given?.core ?? (await (await import('../../core/service.js')).createCore({ host: 'cli' }));
  const span = core.ctx.tracer.startSpan(SPAN.boxCreate, { attributes: { [ATTR.imageRef]: image } }, parent);
  const carrier = injectFrom(api.trace.setSpan(parent, span));
  const requestId = randomUUID();
  const stopProgress = (given ? given.errTTY : process.stderr.isTTY)
    ? core.api.listen('pull:progress', undefined, (p) => {
        if (p.requestId === requestId) err(`\r\x1b[2K${progressLine(p)}${p.done ? '\n' : ''}`);
      })
    : () => undefined;
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  if (given) {
    if (given.signal.aborted) cancel.abort();
    given.signal.addEventListener('abort', onSignal, { once: true });
  } else {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const r = await core.api.call(
      'boxes:launch',
      {
        image,
        ...(o.name ? { name: o.name } : {}),
        env,
        ...options,
        network: o.network,
        pull: o.pull as PullPolicy,
        traceparent: carrier.traceparent,
        ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
        daemon: o.daemon,
        requestId,
      },
      { signal: cancel.signal },
    );
    span.setAttribute(ATTR.boxId, r.boxId);
    span.setAttribute(ATTR.containerId, r.containerId);
    span.end();
    for (const w of r.warnings ?? []) err(`boxscope: warning: ${w}\n`);
    if (o.json) {
      const { boxId, containerId, image: img, imageDigest, traceId, state } = r;
      out(JSON.stringify({ boxId, containerId, image: img, imageDigest, traceId, state }) + '\n');
    } else {
      out(`${r.boxId}  ${r.state}  trace ${r.traceId}\n`);
    }
    return 0;
  } catch (e) {
    const { toErrorInfo } = await import('../../../shared/errors.js');
    const info = toErrorInfo(e);
    if (info.details && typeof info.details.boxId === 'string') span.setAttribute(ATTR.boxId, info.details.boxId);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: info.message });
    span.recordException({ name: info.code, message: info.message });
    span.setAttribute(ATTR.errorType, info.code);
    span.end();
    throw e;
  } finally {
    if (given) given.signal.removeEventListener('abort', onSignal);
    else {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    stopProgress();
    if (!given) await core.close();
  }
}
