import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { echoServer, freePort, httpGet, interConnector, interListener, LOOPBACK, metricValue, roundTrip, routerConfig, waitReachable } from './test-support.ts';

let c0: RouterHandle;
let c1: RouterHandle;
let echo: Awaited<ReturnType<typeof echoServer>>;

beforeAll(async () => {
  echo = await echoServer();
  const p = await freePort();
  c0 = await startRouter(routerConfig('c0', [interListener(p), ['tcpConnector', { name: 'backend', host: LOOPBACK, port: echo.port, address: 'backend:8080' }]]));
  c1 = await startRouter(routerConfig('c1', [interConnector('link1', p, 4), ['tcpListener', { name: 'backend:8080', host: LOOPBACK, port: 0, address: 'backend:8080' }]]));
  await waitReachable(c1, 'backend:8080');
  await roundTrip(c1.port('backend:8080'), Buffer.alloc(10_000, 7));
});

afterAll(async () => {
  await c1?.close();
  await c0?.close();
  await echo?.close();
});

it('GET /healthz answers 200 ok with link state', async () => {
  const res = await httpGet(c1.port('http'), '/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toMatch(/^ok\n/);
  expect(res.body).toContain('link c0 up');
});

it('GET /metrics speaks Prometheus text with connections, bytes, flows, links and routes', async () => {
  const m1 = (await httpGet(c1.port('http'), '/metrics')).body;
  const m0 = (await httpGet(c0.port('http'), '/metrics')).body;
  expect(m1).toContain('# TYPE skrouter_link_up gauge');
  expect(metricValue(m1, 'skrouter_connections', { role: 'inter-router' })).toBe(1);
  expect(metricValue(m1, 'skrouter_link_up', { peer: 'c0' })).toBe(1);
  expect(metricValue(m1, 'skrouter_route_table_size')).toBe(1);
  expect(metricValue(m1, 'skrouter_flows_opened_total', { address: 'backend:8080' })).toBe(1);
  expect(metricValue(m1, 'skrouter_flows_active', { address: 'backend:8080' })).toBe(0);
  expect(metricValue(m1, 'skrouter_flows_refused_no_route_total', { address: 'backend:8080' })).toBe(0);
  expect(metricValue(m1, 'skrouter_tcp_bytes_in_total', { kind: 'tcpListener', name: 'backend:8080' })).toBe(10_000);
  expect(metricValue(m1, 'skrouter_tcp_bytes_out_total', { kind: 'tcpListener', name: 'backend:8080' })).toBe(10_000);
  expect(metricValue(m0, 'skrouter_tcp_bytes_out_total', { kind: 'tcpConnector', name: 'backend' })).toBe(10_000);
  expect(metricValue(m0, 'skrouter_flow_buffered_bytes')).toBe(0);
});

it('answers 404 elsewhere', async () => {
  expect((await httpGet(c1.port('http'), '/nope')).status).toBe(404);
  // The router's state is read through AMQP management, as skrouterd's.
  expect((await httpGet(c1.port('http'), '/state')).status).toBe(404);
});
