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
    // Linked means a data connection in every lane, on both sides.
    expect(a.state().lanes.every((l) => l.peers.includes('B'))).toBe(true);
    await waitFor('B linked to A', () => b.state().links.map((l) => l.peer), (p) => p.includes('A'));
    expect(b.state().lanes.every((l) => l.peers.includes('A'))).toBe(true);
    a.router.inter.removeConnector('toB');
    await waitFor('the link down on both', () => [a.state().links.length, b.state().links.length], ([x, y]) => x === 0 && y === 0);
    await waitFor('the data connections closed in every lane', () => [...a.state().lanes, ...b.state().lanes].flatMap((l) => l.peers), (p) => p.length === 0);
    expect(a.state().connectors).toEqual([]);
    a.router.inter.addConnector({ ...connectorSchema.parse({ host: LOOPBACK, port: inter, role: 'inter-router' }), name: 'toB' });
    await waitFor('A linked to B again', () => a.state().routers.map((r) => r.id), (r) => r.includes('B'), 20_000);
  }, 60_000);

  it('adds a tcpConnector and a tcpListener, carries a flow, then removes them', async () => {
    b.router.tcp.addConnector({ ...tcpConnectorSchema.parse({ host: LOOPBACK, port: echo.port, address: 'echo' }), name: 'e' });
    await waitFor('echo reachable from A', () => reach('echo'), (r) => r, 20_000);
    const st = await a.router.tcp.addListener({ ...tcpListenerSchema.parse({ host: LOOPBACK, port: 0, address: 'echo' }), name: 'e' });
    // Its address is reachable: it listens at once, in every lane.
    expect(st.operStatus).toBe('up');
    const port = a.port('e');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(port, `added at run time ${i}`)));
    expect(replies.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => `added at run time ${i}`));

    await a.router.tcp.removeListener('e');
    expect(a.state().tcpListeners).toEqual([]);
    await waitFor('the port closed in every lane', () => refused(port), (r) => r);
    b.router.tcp.removeConnector('e');
    await waitFor('echo unreachable from A', () => reach('echo'), (r) => !r);
  }, 60_000);

  it('a tcpListener listens in every lane only while its address is reachable', async () => {
    await a.router.tcp.addListener({ ...tcpListenerSchema.parse({ host: LOOPBACK, port: 0, address: 'later' }), name: 'later' });
    expect(a.state().tcpListeners).toEqual([{ name: 'later', address: 'later', host: LOOPBACK, port: undefined, operStatus: 'down' }]);
    b.router.tcp.addConnector({ ...tcpConnectorSchema.parse({ host: LOOPBACK, port: echo.port, address: 'later' }), name: 'later' });
    const up = await waitFor('the tcpListener up', () => a.state().tcpListeners[0]!, (l) => l.operStatus === 'up', 20_000);
    // Several connections at once: with 2 lanes the kernel hands them to either.
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(up.port!, `later ${i}`)));
    expect(replies.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => `later ${i}`));
    b.router.tcp.removeConnector('later');
    await waitFor('the tcpListener down', () => a.state().tcpListeners[0]!, (l) => l.operStatus === 'down');
    await waitFor('its port closed in every lane', () => refused(up.port!), (r) => r);
    await a.router.tcp.removeListener('later');
  }, 60_000);
});
