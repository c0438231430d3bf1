import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorSchema, tcpConnectorSchema, tcpListenerSchema } from './config-schema.ts';
import { startRouter, type RouterHandle } from './router.ts';
import { echoServer, freePort, interListener, LANE_COUNTS, LOOPBACK, roundTrip, waitFor, type Entity } from './test-support.ts';

// tcpListeners, tcpConnectors and connectors added and removed while the routers run
// (the calls a management agent makes), with every lane told.
const quiet: Entity = ['log', { module: 'DEFAULT', enable: 'none' }];
const refused = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect({ host: LOOPBACK, port });
  s.on('connect', () => {
    s.destroy();
    resolve(false);
  });
  s.on('error', () => resolve(true));
});

describe.each(LANE_COUNTS)('runtime configuration with %i lane(s)', (lanes) => {
  let a: RouterHandle;
  let b: RouterHandle;
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let inter: number;
  const reach = (address: string) => a.state().addresses.some((x) => x.address === address);

  beforeAll(async () => {
    echo = await echoServer();
    inter = await freePort();
    b = await startRouter([['router', { id: 'B', mode: 'interior', workerThreads: lanes }], quiet, interListener(inter)]);
    a = await startRouter([['router', { id: 'A', mode: 'interior', workerThreads: lanes }], quiet]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await echo?.close();
  });

  it('adds a connector: the link comes up; removing it takes the link down', async () => {
    a.router.inter.addConnector({ ...connectorSchema.parse({ host: LOOPBACK, port: inter, role: 'inter-router' }), name: 'toB' });
    await waitFor('A linked to B', () => a.state().links.map((l) => l.peer), (p) => p.includes('B'), 20_000);
    expect(a.router.inter.removeConnector('toB')).toBe(true);
    await waitFor('the link down on both', () => [a.state().links.length, b.state().links.length], ([x, y]) => x === 0 && y === 0);
    expect(a.state().connectors).toEqual([]);
    expect(a.router.inter.removeConnector('toB')).toBe(false);
    a.router.inter.addConnector({ ...connectorSchema.parse({ host: LOOPBACK, port: inter, role: 'inter-router' }), name: 'toB' });
    await waitFor('A linked to B again', () => a.state().routers.map((r) => r.id), (r) => r.includes('B'), 20_000);
  }, 60_000);

  it('adds a tcpConnector and a tcpListener, carries a flow, then removes them', async () => {
    b.router.tcp.addConnector({ ...tcpConnectorSchema.parse({ host: LOOPBACK, port: echo.port, address: 'echo' }), name: 'e' });
    await waitFor('echo reachable from A', () => reach('echo'), (r) => r, 20_000);
    const port = await a.router.tcp.addListener({ ...tcpListenerSchema.parse({ host: LOOPBACK, port: 0, address: 'echo' }), name: 'e' });
    expect(a.port('e')).toBe(port);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(port, `added at run time ${i}`)));
    expect(replies.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => `added at run time ${i}`));

    expect(await a.router.tcp.removeListener('e')).toBe(true);
    expect(a.state().tcpListeners).toEqual([]);
    await waitFor('the port closed in every lane', () => refused(port), (r) => r);
    expect(b.router.tcp.removeConnector('e')).toBe(true);
    await waitFor('echo unreachable from A', () => reach('echo'), (r) => !r);
    expect(b.router.tcp.removeConnector('e')).toBe(false);
  }, 60_000);
});
