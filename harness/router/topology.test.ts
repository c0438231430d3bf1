import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterHandle } from './router.ts';
import {
  echoServer, freePort, interConnector, interListener, LANE_COUNTS, LOOPBACK, roundTrip, routersClosedAfterEach, waitFor, waitLinks, type Entity,
} from './test-support.ts';

const startWithLanes = routersClosedAfterEach();
let lanes = 1;
const start = (id: string, entities: Entity[], mode?: 'edge') => startWithLanes(id, lanes, entities, mode);
let echo: Awaited<ReturnType<typeof echoServer>>;

afterAll(async () => echo?.close());

const route = (h: RouterHandle, address: string) => h.state().addresses.find((a) => a.address === address);

describe.each(LANE_COUNTS)('multi-hop routing with %i lane(s) per router', (n) => {
  beforeAll(() => {
    lanes = n;
  });

  it('carries TCP over a line of three routers (A-B-C, listener at A, connector at C)', async () => {
    echo = await echoServer();
    const [pb, pc] = [await freePort(), await freePort()];
    const c = await start('C', [interListener(pc), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
    const b = await start('B', [interListener(pb), interConnector('toC', pc)]);
    const a = await start('A', [interConnector('toB', pb), ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]);
    await waitFor('echo at C reachable from A', () => route(a, 'echo'), (r) => r !== undefined);
    expect(route(a, 'echo')).toEqual({ address: 'echo', kind: 'tcp', router: 'C', nextHop: 'B', cost: 2 });
    expect(a.state().routers).toEqual([{ id: 'B', nextHop: 'B', cost: 1 }, { id: 'C', nextHop: 'B', cost: 2 }]);
    expect((await roundTrip(a.port('e'), 'three hops')).toString()).toBe('three hops');
    expect(b.state().links.map((l) => l.peer).sort()).toEqual(['A', 'C']);
    void c;
  });

  it('reroutes round a ring when a router drops, and returns when it restarts', async () => {
    echo ??= await echoServer();
    const p = { A: await freePort(), B: await freePort(), C: await freePort(), D: await freePort() };
    // Ring A-B-C-D-A: A→C costs 2 via B, 6 via D.
    const bEntities: Entity[] = [interListener(p.B), interConnector('toC', p.C, 1)];
    await start('C', [interListener(p.C), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
    await start('D', [interListener(p.D), interConnector('toC', p.C, 3)]);
    let b = await start('B', bEntities);
    const a = await start('A', [
      interListener(p.A), interConnector('toB', p.B, 1), interConnector('toD', p.D, 3),
      ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }],
    ]);
    await waitFor('echo via B', () => route(a, 'echo'), (r) => r?.nextHop === 'B' && r.cost === 2);
    expect((await roundTrip(a.port('e'), 'via B')).toString()).toBe('via B');

    await b.close();
    const rerouted = await waitFor('echo via D', () => route(a, 'echo'), (r) => r?.nextHop === 'D');
    expect(rerouted?.cost).toBe(6);
    expect(a.state().connectors.find((c) => c.name === 'toB')?.state).not.toBe('up');
    expect((await roundTrip(a.port('e'), 'via D')).toString()).toBe('via D');

    b = await start('B', bEntities);
    await waitLinks(a, ['B', 'D']);
    await waitFor('echo back via B', () => route(a, 'echo'), (r) => r?.nextHop === 'B' && r.cost === 2);
    expect(a.state().connectors.find((c) => c.name === 'toB')).toMatchObject({ state: 'up', peer: 'B' });
    expect((await roundTrip(a.port('e'), 'via B again')).toString()).toBe('via B again');
  });

  it('stops listening when the only path is gone (tcpListener down, as skrouterd)', async () => {
    echo ??= await echoServer();
    const pc = await freePort();
    const c = await start('C', [interListener(pc), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
    const a = await start('A', [interConnector('toC', pc), ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]);
    await waitFor('echo reachable', () => route(a, 'echo'), (r) => r !== undefined);
    await c.close();
    await waitFor('echo unreachable', () => route(a, 'echo'), (r) => r === undefined);
    await waitFor('the tcpListener to close', () => a.state().tcpListeners[0]!, (l) => l.operStatus === 'down');
    expect(() => a.port('e')).toThrow(/tcpListener e is not listening/);
  });

  it('keeps exchanging link-state after thousands of control messages (no session buffer leak)', async () => {
    const pb = await freePort();
    const b = await start('B', [interListener(pb)]);
    const a = await start('A', [interConnector('toB', pb)]);
    await waitLinks(b, ['A']);
    for (let i = 0; i < 3000; i++) {
      a.router.topologyChanged();
      await new Promise((r) => setImmediate(r));
    }
    const seq = () => b.router.db.get('A')?.seq ?? 0;
    const target = a.router.db.get('A')!.seq;
    expect(target).toBeGreaterThan(2500);
    await waitFor(`B to see A's record #${target}`, seq, (s) => s === target);
  });

  it('serves an edge router hanging off an interior one (edge never transits)', async () => {
    echo ??= await echoServer();
    const pe = await freePort();
    const a = await start('A', [
      ['listener', { name: 'edges', host: LOOPBACK, port: pe, role: 'edge' }],
      ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }],
    ]);
    const e = await start('E1', [
      ['connector', { name: 'up', host: LOOPBACK, port: pe, role: 'edge' }],
      ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }],
    ], 'edge');
    await waitFor('echo reachable from the edge', () => route(e, 'echo'), (r) => r?.router === 'A');
    expect(e.state().links).toEqual([expect.objectContaining({ peer: 'A', role: 'edge' })]);
    expect((await roundTrip(e.port('e'), 'from the edge')).toString()).toBe('from the edge');
    expect(a.state().links[0]).toMatchObject({ peer: 'E1', role: 'edge', direction: 'in' });
  });

  it('refuses a peer whose role does not match the listener', async () => {
    const pi = await freePort();
    await start('A', [interListener(pi)]);
    const e = await start('E2', [['connector', { name: 'up', host: LOOPBACK, port: pi, role: 'edge' }]], 'edge');
    const st = await waitFor('E2 refused', () => e.state().connectors[0]!, (c) => c.lastError !== undefined);
    expect(st.lastError).toMatch(/wants role edge.*has role inter-router/);
    expect(e.state().links).toEqual([]);
  });
});
