import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { freePort, interConnector, interListener, LANE_COUNTS, LOOPBACK, sha256, tcpServer, waitReachable } from './test-support.ts';

const BOUND_PER_ROUTER = 4 * 1024 * 1024;

describe.each(LANE_COUNTS)('backpressure with %i lane(s) per router', (lanes) => {
let c0: RouterHandle;
let c1: RouterHandle;
let server: Awaited<ReturnType<typeof tcpServer>>;
let backend: net.Socket | undefined;

beforeAll(async () => {
  // A backend that does not read until told to.
  server = await tcpServer((s) => {
    s.pause();
    backend = s;
  }, { allowHalfOpen: true });
  const inter = await freePort();
  c0 = await startRouter([
    ['router', { id: 'c0', mode: 'interior', workerThreads: lanes }], ['log', { module: 'DEFAULT', enable: 'none' }],
    interListener(inter),
    ['tcpConnector', { name: 'slow', host: LOOPBACK, port: server.port, address: 'slow' }],
  ]);
  c1 = await startRouter([
    ['router', { id: 'c1', mode: 'interior', workerThreads: lanes }], ['log', { module: 'DEFAULT', enable: 'none' }],
    interConnector('link1', inter),
    ['tcpListener', { name: 'slow', host: LOOPBACK, port: 0, address: 'slow' }],
  ]);
  await waitReachable(c1, 'slow');
});

afterAll(async () => {
  await c1?.close();
  await c0?.close();
  await server?.close();
});

it('keeps router buffers bounded while the receiver does not read, then delivers everything', async () => {
  const total = 64 * 1024 * 1024;
  const data = randomBytes(total);
  const client = net.connect({ host: LOOPBACK, port: c1.port('slow') });
  await new Promise<void>((r) => client.once('connect', () => r()));
  // Write as the socket allows; a blocked path stops us.
  let written = 0;
  const pump = () => {
    while (written < total) {
      const chunk = data.subarray(written, written + 256 * 1024);
      written += chunk.length;
      if (!client.write(chunk)) return void client.once('drain', pump);
    }
    client.end();
  };
  pump();
  await new Promise((r) => setTimeout(r, 1500));
  const b0 = c0.router.tcp.bufferedBytes();
  const b1 = c1.router.tcp.bufferedBytes();
  const writtenWhileStalled = written;
  console.log(`stalled: client wrote ${(writtenWhileStalled / 1e6).toFixed(1)} MB of ${total / 1e6}; router buffers c1=${b1} c0=${b0} bytes`);
  expect(writtenWhileStalled).toBeLessThan(total);
  expect(b0).toBeLessThan(BOUND_PER_ROUTER);
  expect(b1).toBeLessThan(BOUND_PER_ROUTER);
  // Now read: everything arrives intact and the high-water mark stayed bounded.
  const chunks: Buffer[] = [];
  const got = new Promise<Buffer>((resolve) => {
    backend!.on('data', (c: Buffer) => chunks.push(c));
    backend!.on('end', () => resolve(Buffer.concat(chunks)));
  });
  backend!.resume();
  const received = await got;
  expect(received.length).toBe(total);
  expect(sha256(received)).toBe(sha256(data));
  expect(c0.router.tcp.maxBuffered).toBeLessThan(BOUND_PER_ROUTER);
  expect(c1.router.tcp.maxBuffered).toBeLessThan(BOUND_PER_ROUTER);
  client.destroy();
}, 60_000);
});
