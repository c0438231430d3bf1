import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { echoServer, freePort, interConnector, interListener, LOOPBACK, metricValue, roundTrip, routerConfig, waitFor, waitReachable } from './test-support.ts';

// Every flow hop is a link pair; once a flow is over, both routers must forget both links.
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

const links = (h: RouterHandle) => metricValue(h.metrics(), 'skrouter_amqp_links');

it('forgets both links of every finished flow on both routers (300 short connections)', async () => {
  const idle = { a: links(a)!, b: links(b)! };
  expect(idle.a).toBeGreaterThan(0); // the control and message links
  for (let i = 0; i < 100; i++) expect((await roundTrip(a.port('e'), `short ${i}`)).toString()).toBe(`short ${i}`);
  // 200 more, 20 at a time, some closing while others open.
  for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 20 }, () => roundTrip(a.port('e'), 'x'.repeat(5000))));
  await waitFor('flow links released on A and B', () => ({ a: links(a), b: links(b), flows: a.state().flows.active }),
    (v) => v.a === idle.a && v.b === idle.b && v.flows === 0, 5000);
});
