import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { DataConnection } from './data-connection.ts';
import { P_ID, P_TOKEN } from './lane.ts';
import { afterAll, describe, expect, it } from 'vitest';
import type { RouterHandle } from './router.ts';
import { echoServer, freePort, interConnector, interListener, LOOPBACK, roundTrip, routersClosedAfterEach, sha256, tcpServer, waitFor, waitReachable, processAlive } from './test-support.ts';

// Routers with several lanes: lane 0 in the router's process, the others in child processes.
const start = routersClosedAfterEach();
let echo: Awaited<ReturnType<typeof echoServer>>;

afterAll(async () => echo?.close());

const alive = processAlive;
/** B (`bLanes` lanes) serves the echo server as "echo"; A (`aLanes`) links to B and listens for it; resolves once A reaches it. */
async function echoThroughPair(aLanes: number, bLanes: number): Promise<{ a: RouterHandle; b: RouterHandle }> {
  echo ??= await echoServer();
  const p = await freePort();
  const b = await start('B', bLanes, [interListener(p), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
  const a = await start('A', aLanes, [interConnector('toB', p), ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]);
  await waitReachable(a, 'echo', 20_000);
  return { a, b };
}

const flowsByLane = (h: RouterHandle) => h.router.tcp.lanes.stats().map((s) => Object.values(s.flows).reduce((n, f) => n + f.opened, 0));

describe('lanes', () => {
  it('pairs every lane of both routers (2 and 3 lanes) and carries flows in all of them', async () => {
    const { a, b } = await echoThroughPair(2, 3);
    // Slots 0..2: A's lanes 0,1,0 dial B's lanes 0,1,2, so every lane on both sides has one.
    expect(a.state().lanes.map((l) => l.peers)).toEqual([['B'], ['B']]);
    expect(b.state().lanes.map((l) => l.peers)).toEqual([['A'], ['A'], ['A']]);
    // Lane 0 of both routers is this process; the other three lanes are processes of their own.
    expect(new Set([...a.state().lanes, ...b.state().lanes].map((l) => l.pid)).size).toBe(4);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const msg = randomBytes(2000 + i * 997);
        return (await roundTrip(a.port('e'), msg)).equals(msg);
      }));
      expect(results.every(Boolean)).toBe(true);
    }
    // Lane stats of child lanes arrive every 250 ms.
    const byLane = await waitFor('every lane of A to report its flows', () => flowsByLane(a), (n) => n.length === 2 && n[0]! + n[1]! === 200, 5000);
    expect(byLane.every((n) => n > 0)).toBe(true);
  }, 60_000);

  it('carries flows across three routers with two lanes each: half-close, 20 MB each way', async () => {
    const sink = await tcpServer((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => s.end(sha256(Buffer.concat(chunks))));
    }, { allowHalfOpen: true });
    echo ??= await echoServer();
    const [pb, pc] = [await freePort(), await freePort()];
    await start('C', 2, [interListener(pc), ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }],
      ['tcpConnector', { name: 's', host: LOOPBACK, port: sink.port, address: 'sink' }]]);
    await start('B', 2, [interListener(pb), interConnector('toC', pc)]);
    const a = await start('A', 2, [interConnector('toB', pb), ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }],
      ['tcpListener', { name: 's', host: LOOPBACK, port: 0, address: 'sink' }]]);
    await waitReachable(a, 'echo', 20_000);
    await waitReachable(a, 'sink', 20_000);
    const big = randomBytes(20 * 1024 * 1024);
    const [back, digest] = await Promise.all([roundTrip(a.port('e'), big), roundTrip(a.port('s'), big)]);
    expect(back.length).toBe(big.length);
    expect(sha256(back)).toBe(sha256(big));
    expect(digest.toString()).toBe(sha256(big));
    await sink.close();
  }, 60_000);

  it('restarts a lane process that dies; its data connections come back and flows work again', async () => {
    const { a, b } = await echoThroughPair(2, 2);
    const victim = b.state().lanes[1]!.pid!;
    process.kill(victim, 'SIGKILL');
    // B withdraws the link while a lane has no data connection to A, then announces it again.
    await waitFor('B lane 1 back in a new process, paired with A', () => b.state().lanes[1]!,
      (l) => l.pid !== victim && l.ready && l.peers.includes('A'), 20_000);
    await waitReachable(a, 'echo', 20_000);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => roundTrip(a.port('e'), `after restart ${i}`)));
    expect(results.map(String)).toEqual(Array.from({ length: 40 }, (_, i) => `after restart ${i}`));
    expect(alive(victim)).toBe(false);
  }, 60_000);

  it('refuses data connections without the token its control link handed out', async () => {
    const { a, b } = await echoThroughPair(1, 2);
    for (const port of b.router.tcp.lanes.portsFor('inter')!) {
      for (const props of [{ [P_ID]: 'A', [P_TOKEN]: 'guessed' }, { [P_ID]: 'Z', [P_TOKEN]: 'guessed' }, {}]) {
        const s = net.connect({ host: LOOPBACK, port });
        const conn = new DataConnection(s, { containerId: 'intruder', maxFrameSize: 65536, incomingWindow: 100, idleTimeoutMs: 0, properties: props });
        const closed = await new Promise((r) => (conn.hooks.closed = r));
        expect(closed).toMatchObject({ condition: 'amqp:unauthorized-access' });
        s.destroy();
      }
    }
    expect((await roundTrip(a.port('e'), 'still fine')).toString()).toBe('still fine');
  }, 30_000);

  it('stops its lane processes when it closes', async () => {
    const a = await start('A', 3, []);
    const pids = await waitFor('lanes up', () => a.state().lanes, (l) => l.every((x) => x.ready)).then((l) => l.slice(1).map((x) => x.pid!));
    expect(pids.every(alive)).toBe(true);
    await a.close(); // (closing again after the test does nothing)
    await waitFor('lane processes gone', () => pids.map(alive), (v) => v.every((x) => !x), 5000);
  }, 30_000);
});
