import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import {
  echoServer, freePort, httpGet, interConnector, interListener, LANE_COUNTS, LOOPBACK, roundTrip, routerConfig,
  sha256, tcpServer, waitLinks, waitReachable,
} from './test-support.ts';

// c0 serves backend:8080 (tcpConnector), c1 listens for it (tcpListener), linked c1 → c0.
describe.each(LANE_COUNTS)('TCP through two routers with %i lane(s) each', (lanes) => {
  let c0: RouterHandle;
  let c1: RouterHandle;
  const servers: { close(): Promise<void> }[] = [];
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    const echo = await echoServer();
    const web = http.createServer((req, res) => res.end(`hello from backend ${req.url}`));
    await new Promise<void>((r) => web.listen(0, LOOPBACK, () => r()));
    servers.push(echo, { close: () => new Promise((r) => web.close(() => r())) });
    // A sink that hashes what it gets and answers with the hash plus its own payload.
    const sink = await tcpServer((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => s.end(sha256(Buffer.concat(chunks))));
    }, { allowHalfOpen: true });
    servers.push(sink);
    const inter = await freePort();
    c0 = await startRouter(routerConfig('c0', [
      // The deck's frame size on one side: c1 → c0 transfers span several frames.
      interListener(inter, { maxFrameSize: 16384, maxSessionFrames: 640 }),
      ['tcpConnector', { name: 'echo', host: LOOPBACK, port: echo.port, address: 'echo' }],
      ['tcpConnector', { name: 'backend', host: LOOPBACK, port: (web.address() as net.AddressInfo).port, address: 'backend:8080' }],
      ['tcpConnector', { name: 'sink', host: LOOPBACK, port: sink.port, address: 'sink' }],
    ], 'interior', lanes));
    c1 = await startRouter(routerConfig('c1', [
      interConnector('link1', inter),
      ['tcpListener', { name: 'echo', host: LOOPBACK, port: 0, address: 'echo' }],
      ['tcpListener', { name: 'backend:8080', host: LOOPBACK, port: 0, address: 'backend:8080' }],
      ['tcpListener', { name: 'sink', host: LOOPBACK, port: 0, address: 'sink' }],
      ['tcpListener', { name: 'nowhere', host: LOOPBACK, port: 0, address: 'nowhere' }],
    ], 'interior', lanes));
    await waitLinks(c1, ['c0']);
    for (const a of ['echo', 'backend:8080', 'sink']) await waitReachable(c1, a);
    for (const n of ['echo', 'backend:8080', 'sink']) ports[n] = c1.port(n);
  });

  afterAll(async () => {
    await c1?.close();
    await c0?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('echoes bytes tcpListener → tcpConnector and back', async () => {
    expect((await roundTrip(ports['echo']!, 'ping over skupper')).toString()).toBe('ping over skupper');
  });

  it("answers the deck's HTTP GET through the tcpListener", async () => {
    const res = await httpGet(ports['backend:8080']!, '/index.html');
    expect(res).toEqual({ status: 200, body: 'hello from backend /index.html' });
  });

  it('carries 100 MB each way intact', async () => {
    const size = 100 * 1024 * 1024;
    const up = randomBytes(size);
    const t0 = performance.now();
    const back = await roundTrip(ports['echo']!, up);
    const secs = (performance.now() - t0) / 1000;
    expect(back.length).toBe(size);
    expect(sha256(back)).toBe(sha256(up));
    console.log(`100 MB echoed both ways in ${secs.toFixed(2)} s: ${((2 * size) / 1e6 / secs).toFixed(0)} MB/s through 2 routers`);
  }, 120_000);

  it('honours half-close: the client FIN reaches the server, the reply still arrives', async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    const reply = await roundTrip(ports['sink']!, payload);
    expect(reply.toString()).toBe(sha256(payload));
  });

  it('carries 50 connections at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const msg = Buffer.from(`conn ${i} `.repeat(2000));
        return (await roundTrip(ports['echo']!, msg)).equals(msg);
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it('does not listen for an address no tcpConnector serves (operStatus down), like skrouterd', async () => {
    expect(c1.state().tcpListeners.find((l) => l.name === 'nowhere')).toMatchObject({ operStatus: 'down', port: undefined });
    expect(() => c1.port('nowhere')).toThrow(/tcpListener nowhere is not listening/);
    expect(c1.state().tcpListeners.find((l) => l.name === 'echo')).toMatchObject({ operStatus: 'up', port: ports['echo'] });
  });
});
