/** `boxscope launch IMAGE …` (docs/CONTRACTS.md, CLI): the CLI's own `box.create` span is the trace's root. */
import type { Command } from 'commander';
import { ATTR, SPAN } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { PULL_POLICIES, type PullPolicy, type PullProgress } from '../../../shared/models.js';
import { runAction } from '../run.js';

interface LaunchOptions {
  name?: string;
  env: string[];
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

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('Launch a box from IMAGE and print its id; the whole launch is one trace')
    .argument('<image>', 'image reference, e.g. ghcr.io/acme/app:1')
    .option('--name <name>', 'box (and container) name')
    .option(
      '--env <KEY=VALUE>',
      'environment variable for the box (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--network <mode>', 'engine network mode (none, host, …)', 'none')
    .option('--pull <policy>', PULL_POLICIES.join(' | '), 'missing')
    .option('--traceparent <tp>', "continue a caller's W3C trace (e.g. a CI job's)")
    .option('--no-daemon', 'launch without the in-box daemon')
    .option('--json', 'print {"boxId","containerId","image","imageDigest","traceId","state"}')
    .action((image: string, o: LaunchOptions) => runAction(() => launch(image, o)));
}

async function launch(image: string, o: LaunchOptions): Promise<number> {
  if (!(PULL_POLICIES as readonly string[]).includes(o.pull))
    throw new BoxscopeError('INVALID_INPUT', `--pull must be one of ${PULL_POLICIES.join(', ')}, got "${o.pull}"`);
  const env = parseEnvPairs(o.env);
  const [{ createCore }, api, { parentContext, injectFrom }, { randomUUID }] = await Promise.all([
    import('../../core/service.js'),
    import('@opentelemetry/api'),
    import('../../core/runner/tracing.js'),
    import('node:crypto'),
  ]);
  let parent = api.ROOT_CONTEXT;
  if (o.traceparent !== undefined) {
    const given = parentContext(o.traceparent);
    if (given.ctx) parent = given.ctx;
    else
      process.stderr.write(
        `boxscope: --traceparent "${o.traceparent.slice(0, 80)}" is not a valid W3C traceparent; starting a new trace\n`,
      );
  }
  const core = await createCore({ host: 'cli' });
  const span = core.ctx.tracer.startSpan(SPAN.boxCreate, { attributes: { [ATTR.imageRef]: image } }, parent);
  const carrier = injectFrom(api.trace.setSpan(parent, span));
  const requestId = randomUUID();
  const tty = process.stderr.isTTY;
  const stopProgress = tty
    ? core.api.listen('pull:progress', undefined, (p) => {
        if (p.requestId === requestId) process.stderr.write(`\r\x1b[2K${progressLine(p)}${p.done ? '\n' : ''}`);
      })
    : () => undefined;
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await core.api.call(
      'boxes:launch',
      {
        image,
        ...(o.name ? { name: o.name } : {}),
        env,
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
    for (const w of r.warnings ?? []) process.stderr.write(`boxscope: warning: ${w}\n`);
    if (o.json) {
      const { boxId, containerId, image: img, imageDigest, traceId, state } = r;
      process.stdout.write(JSON.stringify({ boxId, containerId, image: img, imageDigest, traceId, state }) + '\n');
    } else {
      process.stdout.write(`${r.boxId}  ${r.state}  trace ${r.traceId}\n`);
    }
    return 0;
  } catch (err) {
    const { toErrorInfo } = await import('../../../shared/errors.js');
    const info = toErrorInfo(err);
    if (info.details && typeof info.details.boxId === 'string') span.setAttribute(ATTR.boxId, info.details.boxId);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: info.message });
    span.recordException({ name: info.code, message: info.message });
    span.setAttribute(ATTR.errorType, info.code);
    span.end();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stopProgress();
    await core.close();
  }
}
