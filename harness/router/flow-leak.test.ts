import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { echoServer, freePort, interConnector, interListener, LOOPBACK, metricValue, roundTrip, routerConfig, waitFor, waitReachable } from './test-support.ts';

// Every flow hop takes a link from each router's pool for each direction and gives it back
// when done: the links attached on inter-router connections must not grow with the flows.
let a: RouterHandle;
let b: RouterHandle;
let echo: Awaited<ReturnType<typeof echoServer>>;

beforeAll(async () => {
  echo = await echoServer();
  const inter = await freePort();
  b = await startRouter(routerConfig('B', [interListener(inter), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]));
  a = await startRouter(routerConfig('A', [interConnector('toB', inter), ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]));
  await waitReachable(a, 'echo');
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await echo?.close();
});

const links = (h: RouterHandle) =>
  (metricValue(h.metrics(), 'skrouter_amqp_links', { kind: 'control' }) ?? NaN) + (metricValue(h.metrics(), 'skrouter_amqp_links', { kind: 'data' }) ?? NaN);

it('keeps the link count flat over 600 short connections (links go back to the pool)', async () => {
  const batch = async (n: number) => {
    for (let i = 0; i < n / 20; i++) {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, j) => roundTrip(a.port('e'), `short ${i}.${j} `.repeat(300))));
      replies.forEach((r, j) => expect(r.toString()).toBe(`short ${i}.${j} `.repeat(300)));
    }
    await waitFor('flows to finish', () => a.state().flows.active, (n) => n === 0);
  };
  for (let i = 0; i < 20; i++) expect((await roundTrip(a.port('e'), `seq ${i}`)).toString()).toBe(`seq ${i}`);
  await batch(100);
  const warm = { a: links(a), b: links(b) };
  expect(warm.a).toBeGreaterThan(0);
  await batch(500);
  // A leak would add two links per flow (1,000 here); 20 flows at a time need at most ~50 per side.
  const after = { a: links(a), b: links(b) };
  expect(after.a).toBeLessThanOrEqual(warm.a + 8);
  expect(after.b).toBeLessThanOrEqual(warm.b + 8);
  expect(Math.max(after.a, after.b)).toBeLessThan(120);
});
