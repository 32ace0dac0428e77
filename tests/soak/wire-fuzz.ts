/**
 * Issue 10's API soak: malformed messages over browser mode's WebSocket
 * (shared/wire.ts, served by electron/host-common/wire-server.ts) with the
 * valid token. Each message must be answered INVALID_INPUT (frame-level
 * garbage may close that connection instead, cleanly), never INTERNAL; the
 * server stays up and a normal call works after.
 */
import crypto from 'node:crypto';
import { CHANNELS, STREAMS } from '../../shared/api.js';
import { rng, type Rng } from './rng.js';
import { sampleRss, WireConn, type Serve } from './serve.js';
import { bump, tally, type SoakRow } from './table.js';

/** What a malformed input must get. */
type Expect =
  /** An `err` (or a stream's `end`) naming the id, code INVALID_INPUT. */
  | { reply: 'id'; id: number }
  /** An unattributable `err` (id null), INVALID_INPUT. */
  | { reply: 'null' }
  /** The connection closed by the server (frame-level garbage), or INVALID_INPUT for it. */
  | { reply: 'close' }
  /** Nothing (a cancel of nothing, a storm's dispose). */
  | { reply: 'none' };

interface Input {
  kind: string;
  frames: Array<string | Buffer>;
  /** Raw bytes written under the WebSocket layer (unmasked or broken frames). */
  raw?: Buffer;
  expect: Expect[];
}

const badIds: unknown[] = [undefined, null, -1, 1.5, '7', 2 ** 53, Number.NaN, {}, [], true];

/** Args that each channel's schema refuses (shared/schemas.ts), keyed by channel; others get odd values. */
function badArg(r: Rng, channel: string): unknown {
  const common = [
    'a string',
    42,
    [],
    [{}],
    { unexpected: true },
    { boxId: r.pick<unknown>([null, 0, 1.5, {}, [], true, '', 'a'.repeat(201)]) },
    { traceId: r.hex(r.pick([1, 15, 17, 40])) },
  ];
  const per: Record<string, unknown[]> = {
    'boxes:launch': [
      {},
      { image: '' },
      { image: 5 },
      { image: 'x', env: 'E=1' },
      { image: 'x', mounts: {} },
      { image: 'x', daemon: 'yes' },
    ],
    'boxes:validate': [{ image: [] }, { image: 'x', ports: [{ containerPort: 'a' }] }],
    'boxes:stop': [{ boxId: 'bx', timeout: -1 }, { boxId: '' }, { boxId: 'x'.repeat(201) }],
    'boxes:execInput': [
      { sessionId: 'short', data: 'x' },
      { sessionId: 'a'.repeat(8), data: 5 },
    ],
    'traces:get': [{ traceId: 'z'.repeat(32) }, { traceId: { $gt: '' } }],
    'traces:span': [{ traceId: r.hex(16), spanId: 'nothex' }],
    'registries:save': [{ key: 'ghcr.io', username: '', secret: 'x' }, { key: 1 }],
    'traces:import': [{ fileName: 1, content: '' }, { content: 'x' }],
    'engine:use': [{ context: '' }, { context: 7 }],
  };
  return r.chance(0.6) && per[channel] ? r.pick(per[channel]!) : r.pick(common);
}

/** A WebSocket frame written under the library: `mask` as a client must, or not. */
function rawFrame(
  opcode: number,
  payload: Buffer,
  o: { mask?: boolean; rsv?: number; fin?: boolean; len?: bigint } = {},
) {
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const mask = o.mask ?? true;
  const len = o.len ?? BigInt(payload.length);
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  const key = mask ? crypto.randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

type Gen = (r: Rng, id: () => number) => Input;

const KINDS: Array<[number, string, Gen]> = [
  [
    8,
    'bad-json',
    (r) => ({
      kind: '',
      frames: [
        r.pick([
          '{',
          'nul',
          '{"t":',
          ']',
          '',
          ' ',
          '\u0000',
          'tru',
          '{"t":"call",}',
          r.bytes(r.int(1, 200)).toString('latin1'),
        ]),
      ],
      expect: [{ reply: 'null' }],
    }),
  ],
  [
    6,
    'no-type',
    (r) => ({
      kind: '',
      frames: [
        JSON.stringify(r.pick<unknown>([{}, [], 1, 'call', null, { t: 1 }, { t: null, id: 1 }, { type: 'call' }])),
      ],
      expect: [{ reply: 'null' }],
    }),
  ],
  [
    6,
    'bad-id',
    (r) => ({
      kind: '',
      frames: [JSON.stringify({ t: r.pick(['call', 'listen']), id: r.pick(badIds), channel: 'app:info' })],
      expect: [{ reply: 'null' }],
    }),
  ],
  [
    5,
    'unknown-type',
    (r, id) => {
      const i = id();
      return {
        kind: '',
        frames: [
          JSON.stringify({ t: r.pick(['ok', 'err', 'data', 'end', 'CALL', 'x', '']), id: i, channel: 'app:info' }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    10,
    'unknown-channel',
    (r, id) => {
      const i = id();
      return {
        kind: '',
        frames: [
          JSON.stringify({
            t: 'call',
            id: i,
            channel: r.pick([
              'nope',
              '',
              'boxes:',
              'boxes:launch ',
              'BOXES:LIST',
              '__proto__',
              'constructor',
              'toString',
              'hasOwnProperty',
              'boxes:unfollowLogs',
              'x'.repeat(r.int(1, 5000)),
            ]),
          }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    10,
    'object-channel',
    (r, id) => {
      const i = id();
      const listen = r.chance(0.3);
      return {
        kind: '',
        frames: [
          JSON.stringify({
            t: listen ? 'listen' : 'call',
            id: i,
            [listen ? 'stream' : 'channel']: r.pick<unknown>([
              {},
              [],
              ['app:info'],
              { toString: 'app:info' },
              5,
              null,
              true,
              { __proto__: 'x' },
            ]),
          }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    16,
    'wrong-arg-types',
    (r, id) => {
      const i = id();
      const channel = r.pick(CHANNELS.filter((c) => c !== 'boxes:list' && c !== 'app:info'));
      return {
        kind: '',
        frames: [JSON.stringify({ t: 'call', id: i, channel, arg: badArg(r, channel) })],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    6,
    'unknown-stream',
    (r, id) => {
      const i = id();
      return {
        kind: '',
        frames: [
          JSON.stringify({
            t: 'listen',
            id: i,
            stream: r.pick(['nope', 'boxes:list', '', 'traces:spans ', '__proto__']),
          }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    6,
    'wrong-stream-args',
    (r, id) => {
      const i = id();
      const stream = r.pick(
        STREAMS.filter(
          (s) => s !== 'boxes:changed' && s !== 'pull:progress' && s !== 'boxes:stats' && s !== 'traces:spans',
        ),
      );
      return {
        kind: '',
        frames: [
          JSON.stringify({
            t: 'listen',
            id: i,
            stream,
            arg: r.pick<unknown>([
              'x',
              5,
              [],
              { boxId: 5 },
              { traceId: 'zz' },
              { path: 7 },
              { boxId: 'b', sessionId: '!', cols: 0, rows: 0 },
            ]),
          }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    3,
    'huge-frame',
    (r, id) => {
      const i = id();
      const big = 'x'.repeat(r.int(1, 8) * 1024 * 1024);
      return {
        kind: '',
        frames: [
          JSON.stringify(
            r.chance(0.5)
              ? { t: 'call', id: i, channel: big }
              : { t: 'call', id: i, channel: 'traces:get', arg: { traceId: big } },
          ),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    3,
    'deep-arg',
    (r, id) => {
      const i = id();
      const d = r.int(100, 100_000);
      return {
        kind: '',
        frames: [`{"t":"call","id":${i},"channel":"boxes:launch","arg":${'['.repeat(d)}${']'.repeat(d)}}`],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    8,
    'binary-garbage',
    (r) => {
      const b = r.bytes(r.int(0, 2000));
      if (b.length && b[0] === 1) b[0] = 2;
      return { kind: '', frames: [b], expect: [{ reply: 'null' }] };
    },
  ],
  [
    3,
    'binary-data-from-client',
    (r) => {
      // A well-framed stream item (shared/wire.ts) sent by the client: a `data` message the core never takes.
      const i = r.int(0, 2 ** 32 - 1);
      const head = Buffer.alloc(5);
      head[0] = 1;
      head.writeUInt32LE(i, 1);
      return { kind: '', frames: [Buffer.concat([head, r.bytes(r.int(0, 100))])], expect: [{ reply: 'id', id: i }] };
    },
  ],
  [
    4,
    'duplicate-id',
    (_r, id) => {
      const i = id();
      return {
        kind: '',
        frames: [
          JSON.stringify({ t: 'listen', id: i, stream: 'boxes:changed' }),
          JSON.stringify({ t: 'call', id: i, channel: 'app:info' }),
          JSON.stringify({ t: 'cancel', id: i }),
        ],
        expect: [{ reply: 'id', id: i }],
      };
    },
  ],
  [
    4,
    'cancel-nothing',
    (r) => ({
      kind: '',
      frames: [JSON.stringify({ t: 'cancel', id: r.int(10_000_000, 20_000_000) })],
      expect: [{ reply: 'none' }],
    }),
  ],
  [
    4,
    'listen-dispose-storm',
    (r, id) => {
      const frames: string[] = [];
      for (let k = 0, n = r.int(20, 200); k < n; k++) {
        const i = id();
        frames.push(
          JSON.stringify({
            t: 'listen',
            id: i,
            stream: r.pick(['boxes:changed', 'pull:progress', 'traces:spans', 'boxes:stats']),
          }),
        );
        if (r.chance(0.9)) frames.push(JSON.stringify({ t: 'cancel', id: i }));
      }
      const i = id();
      frames.push(JSON.stringify({ t: 'call', id: i, channel: 'boxes:launch', arg: 'storm end' }));
      return { kind: '', frames, expect: [{ reply: 'id', id: i }] };
    },
  ],
  [
    4,
    'frame-level-garbage',
    (r) => {
      const which = r.int(0, 5);
      const raw =
        which === 0
          ? rawFrame(1, Buffer.from('{"t":"call"}'), { mask: false })
          : which === 1
            ? rawFrame(r.pick([3, 4, 5, 6, 7, 11, 12, 15]), r.bytes(10))
            : which === 2
              ? rawFrame(1, Buffer.from('{}'), { rsv: r.int(1, 7) })
              : which === 3
                ? rawFrame(1, Buffer.from([0xff, 0xfe, 0xc0, 0x80]))
                : which === 4
                  ? rawFrame(2, Buffer.alloc(0), { len: 2n ** 63n - 1n })
                  : rawFrame(9, r.bytes(200));
      return { kind: '', frames: [], raw, expect: [{ reply: 'close' }] };
    },
  ],
];

const TOTAL = KINDS.reduce((a, k) => a + k[0], 0);

function input(seed: number, i: number, id: () => number): Input {
  const r = rng((seed * 99_991 + i) >>> 0);
  let w = r.next() * TOTAL;
  for (const [weight, kind, gen] of KINDS) {
    w -= weight;
    if (w < 0) return { ...gen(r, id), kind };
  }
  return { ...KINDS[0]![2](r, id), kind: KINDS[0]![1] };
}

export async function wireFuzz(o: {
  serve: Serve;
  seed: number;
  count: number;
}): Promise<SoakRow & { failures: string[] }> {
  const rss = sampleRss(o.serve.pid);
  const failures: string[] = [];
  const states = new Map<string, number>();
  const kinds = new Map<string, number>();
  let conn = await WireConn.open(o.serve);
  let nextId = 1;
  const id = () => nextId++;
  for (let i = 0; i < o.count && failures.length < 20; i++) {
    const inp = input(o.seed, i, id);
    bump(kinds, inp.kind);
    const where = `seed ${o.seed} input #${i} (${inp.kind})`;
    const t0In = Date.now();
    const waits = inp.expect.map((e) =>
      e.reply === 'id' ? conn.next(e.id, 30_000) : e.reply === 'null' ? conn.next(null, 30_000) : undefined,
    );
    for (const f of inp.frames) conn.send(f);
    if (inp.raw) (conn.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(inp.raw);
    for (let k = 0; k < inp.expect.length; k++) {
      const e = inp.expect[k]!;
      if (e.reply === 'none') continue;
      if (e.reply === 'close') {
        const t0 = Date.now();
        while (!conn.closed && !conn.nullErrors.length && Date.now() - t0 < 10_000)
          await new Promise((r) => setTimeout(r, 5));
        const err = conn.nullErrors.shift();
        if (conn.closed) bump(states, `closed ${conn.closeCode}`);
        else if (err?.error?.code === 'INVALID_INPUT') bump(states, 'INVALID_INPUT');
        else failures.push(`${where}: neither closed nor INVALID_INPUT${err ? `: ${JSON.stringify(err)}` : ''}`);
        continue;
      }
      try {
        const m = await waits[k]!;
        const code = m.error?.code ?? `${m.t} without error`;
        bump(states, code);
        if (code !== 'INVALID_INPUT') failures.push(`${where}: ${code} ${m.error?.message ?? ''}`.trim());
      } catch (err) {
        bump(states, conn.closed ? `closed ${conn.closeCode}` : 'no answer');
        failures.push(`${where}: ${conn.closed ? `connection closed (${conn.closeCode})` : (err as Error).message}`);
      }
    }
    if (process.env.SOAK_DEBUG) process.stdout.write(`${where} ${Date.now() - t0In} ms ${tally(states)}\n`);
    if (conn.closed) {
      conn = await WireConn.open(o.serve);
    }
    if (!o.serve.alive()) {
      failures.push(`${where}: the server died: ${o.serve.stderr().slice(-500)}`);
      break;
    }
  }
  // A normal call still works, on the connection that took the garbage and on a fresh one.
  const fresh = await WireConn.open(o.serve);
  let after = 'ok';
  try {
    await conn.call(id(), 'boxes:list', undefined, 30_000);
    await fresh.call(1, 'app:info', undefined, 30_000);
  } catch (err) {
    after = (err as Error).message;
    failures.push(`a normal call after the fuzz failed: ${after}`);
  }
  conn.close();
  fresh.close();
  const peak = rss.stop();
  return {
    family: '2. malformed API messages (WebSocket, valid token)',
    inputs: o.count,
    faults: `${kinds.size} kinds`,
    states: `${tally(states)}; a normal call after: ${after}`,
    spansLost: 0,
    peakRssMb: peak,
    seed: o.seed,
    ok: failures.length === 0 && o.serve.alive(),
    failure: failures[0],
    failures,
  };
}
