import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { freePort, interConnector, interListener, LANE_COUNTS, LOOPBACK, tcpServer, waitReachable, type Entity } from './test-support.ts';

// How connection ends travel: server-first half-close, resets, and a backend that refuses.
describe.each(LANE_COUNTS)('connection ends with %i lane(s) per router', (lanes) => {
let c0: RouterHandle;
let c1: RouterHandle;
let greeter: Awaited<ReturnType<typeof tcpServer>>;
let watcher: Awaited<ReturnType<typeof tcpServer>>;
let watched: Promise<string>[] = [];
const quiet: Entity = ['log', { module: 'DEFAULT', enable: 'none' }];

beforeAll(async () => {
  // Says hello and half-closes at once, then reads what the client sends and logs it.
  greeter = await tcpServer((s) => {
    s.end('hello, then FIN\n');
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => got.push(c));
    s.on('end', () => watched.push(Promise.resolve(Buffer.concat(got).toString())));
  }, { allowHalfOpen: true });
  // Reports how each connection ended.
  watcher = await tcpServer((s) => {
    s.resume();
    watched.push(new Promise((resolve) => {
      s.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      s.on('end', () => resolve('end'));
      s.on('close', () => resolve('close'));
    }));
  });
  const refused = await freePort();
  const p = await freePort();
  c0 = await startRouter([['router', { id: 'c0', mode: 'interior', workerThreads: lanes }], quiet, interListener(p),
    ['tcpConnector', { name: 'greeter', host: LOOPBACK, port: greeter.port, address: 'greeter' }],
    ['tcpConnector', { name: 'watcher', host: LOOPBACK, port: watcher.port, address: 'watcher' }],
    ['tcpConnector', { name: 'down', host: LOOPBACK, port: refused, address: 'down' }]]);
  c1 = await startRouter([['router', { id: 'c1', mode: 'interior', workerThreads: lanes }], quiet, interConnector('l', p),
    ...['greeter', 'watcher', 'down'].map((a): Entity => ['tcpListener', { name: a, host: LOOPBACK, port: 0, address: a }])]);
  for (const a of ['greeter', 'watcher', 'down']) await waitReachable(c1, a);
});

afterAll(async () => {
  await c1?.close();
  await c0?.close();
  await greeter?.close();
  await watcher?.close();
});

it('server half-closes first; the client can still send and is heard', async () => {
  watched = [];
  const s = net.connect({ host: LOOPBACK, port: c1.port('greeter'), allowHalfOpen: true });
  let got = '';
  s.on('data', (c: Buffer) => (got += c.toString()));
  await new Promise<void>((r) => s.once('end', () => r()));
  expect(got).toBe('hello, then FIN\n');
  s.end('client still talking after the server FIN');
  await new Promise<void>((r) => s.once('close', () => r()));
  await new Promise((r) => setTimeout(r, 50));
  expect(await watched[0]).toBe('client still talking after the server FIN');
});

it('a client reset tears the backend connection down promptly', async () => {
  watched = [];
  const s = net.connect({ host: LOOPBACK, port: c1.port('watcher') });
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.write('x');
  for (let i = 0; i < 100 && watched.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now();
  s.resetAndDestroy();
  const how = await watched[0]!;
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(how).toMatch(/end|close|ECONNRESET/);
});

it('a refused tcpConnector closes the client promptly', async () => {
  const t0 = Date.now();
  const s = net.connect({ host: LOOPBACK, port: c1.port('down') });
  s.on('error', () => {});
  await new Promise<void>((r) => s.once('close', () => r()));
  expect(Date.now() - t0).toBeLessThan(1000);
});
});
