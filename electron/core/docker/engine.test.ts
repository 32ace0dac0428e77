import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { engineEndpoint, engineError, engineStatus } from './engine.js';

describe('engine endpoint', () => {
  it('defaults to the system socket and honours DOCKER_HOST', () => {
    expect(engineEndpoint({}).options).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(engineEndpoint({ DOCKER_HOST: 'unix:///tmp/d.sock' }).options).toEqual({ socketPath: '/tmp/d.sock' });
    expect(engineEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }).options).toMatchObject({
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
  });
  it('names where it looked when nothing answers', async () => {
    const e = engineError(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), {
      DOCKER_HOST: 'unix:///tmp/none.sock',
    });
    expect(e.code).toBe('ENGINE_UNREACHABLE');
    expect(e.message).toContain('unix:///tmp/none.sock');
    const s = await engineStatus({ DOCKER_HOST: 'unix:///tmp/boxscope-no-engine.sock' });
    expect(s).toMatchObject({ reachable: false });
    expect(s.message).toContain('/tmp/boxscope-no-engine.sock');
  });
  it('tells a reset connection from a refused one', async () => {
    // An "engine" on loopback TCP that accepts and resets every connection at once.
    const server = net.createServer((c) => c.resetAndDestroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as net.AddressInfo;
      const s = await engineStatus({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      expect(s).toMatchObject({ reachable: false });
      expect(s.message).toMatch(/reset/);
      expect(s.message).not.toContain('refused');
    } finally {
      server.close();
    }
  });
});
