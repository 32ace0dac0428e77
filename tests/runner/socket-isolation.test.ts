/**
 * A box plays the attacker against the OTLP socket: a static Go program in a
 * FROM-scratch image, launched by Boxscope, tries to remove, replace or
 * listen on its own socket, the old shared `run/otlp.sock` and any other
 * box's socket. A victim box launched next (with the daemon) must still get
 * its sandbox.boot into its own trace, and the attacker must steal nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ATTR, SPAN } from '../../shared/constants.js';
import { createCore, type Core } from '../../electron/core/service.js';
import {
  daemonDir,
  buildImage,
  docker,
  removeBoxesOfHome,
  ROOT,
  run,
  tempHome,
  waitFor,
  type TempHome,
} from '../fixtures/index.js';
import { followStream, removeImage } from '../fixtures/engine.js';

const ATTACKER = 'boxscope-test/socket-attacker:1';
const VICTIM = 'boxscope-test/socket-victim:1';
let h: TempHome;
let core: Core;
let work: string;

async function ok(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<void> {
  const r = await run(cmd, args, { timeoutMs: 300_000, ...opts });
  if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
}

/** The attacker image: only the static program, as an untrusted image would be. */
async function buildAttacker(): Promise<void> {
  const ctx = path.join(work, 'ctx');
  fs.mkdirSync(ctx);
  await ok('go', ['build', '-o', path.join(ctx, 'attacker'), '.'], {
    cwd: path.join(ROOT, 'tests', 'runner', 'socket-attacker'),
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  fs.writeFileSync(
    path.join(ctx, 'Dockerfile'),
    // Host paths of the data dir, named as an attacker who knows the layout would.
    `FROM scratch\nADD attacker /attacker\nENTRYPOINT ["/attacker"]\nCMD ${JSON.stringify([
      path.join(h.home, 'run', 'otlp.sock'),
    ])}\n`,
  );
  await ok('tar', ['-C', ctx, '-cf', path.join(work, 'context.tar'), '.']);
  const stream = await docker.buildImage(fs.createReadStream(path.join(work, 'context.tar')) as never, {
    t: ATTACKER,
    rm: true,
    forcerm: true,
  });
  await followStream(stream);
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-attack-'));
  h = tempHome();
  await buildAttacker();
  await buildImage(VICTIM);
  h.env.BOXSCOPE_DAEMON_DIR = await daemonDir();
  core = await createCore({ host: 'cli', env: h.env });
}, 600_000);

afterAll(async () => {
  await core?.close();
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
  await removeImage(ATTACKER).catch(() => undefined);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('a box cannot remove, replace or listen on any OTLP socket, and the next box still boots into its own trace', async () => {
  // A first victim, so a live box socket exists while the attacker runs.
  const first = await core.api.call('boxes:launch', { image: VICTIM });
  expect(first.state).toBe('running');
  // With the daemon, so it has a live socket of its own and a token to forge with.
  const attacker = await core.api.call('boxes:launch', { image: ATTACKER, env: { ATTACK_TRACE: first.traceId } });
  const report = await waitFor(async () => {
    const out = await core.api.call('boxes:logs', { boxId: attacker.boxId });
    return out.includes('attacker ready') ? out : undefined;
  }, 'the attacker report');
  // Nothing it tried worked: its own socket directory is read-only, other boxes' are not visible.
  expect(report).toContain('denied: listen /.boxlite/run/otlp.sock');
  expect(report).not.toContain('DONE:');
  // Its own token over its own socket cannot write the first box's trace.
  expect(report).toMatch(/forge: 200 .*"rejectedSpans":"?2"?.*not in the trace of box/);
  const firstSpans = core.ctx.store.getTrace(first.traceId);
  expect(firstSpans.map((s) => s.name)).not.toContain('forged.root');
  expect(firstSpans.filter((s) => s.name === SPAN.sandboxBoot || s.name === SPAN.boxBoot)).toHaveLength(1);
  expect(firstSpans.every((s) => [first.boxId, undefined].includes(s.attributes[ATTR.boxId] as string))).toBe(true);

  const victim = await core.api.call('boxes:launch', { image: VICTIM });
  expect(victim.state).toBe('running');
  const spans = core.ctx.store.getTrace(victim.traceId);
  const boot = spans.find((s) => s.name === SPAN.sandboxBoot || s.name === SPAN.boxBoot);
  expect(boot, 'the victim boot span').toBeDefined();
  expect(boot!.attributes[ATTR.boxId]).toBe(victim.boxId);
  for (const s of spans) expect([victim.boxId, undefined]).toContain(s.attributes[ATTR.boxId]);
  expect(spans.filter((s) => s.name === SPAN.sandboxBoot || s.name === SPAN.boxBoot)).toHaveLength(1);
  const after = await core.api.call('boxes:logs', { boxId: attacker.boxId });
  expect(after).not.toContain('STOLE');
  // Both the earlier and the later box socket are still the receiver's own.
  for (const b of [first, victim])
    expect(fs.statSync(path.join(h.home, 'run', 'boxes', b.boxId, 'otlp.sock')).isSocket()).toBe(true);
}, 300_000);
