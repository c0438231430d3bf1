// Multi-cluster beyond two: a line of three clusters, then a ring that reroutes when a router dies.
import { describe, expect, simTest } from '../harness/testing/index.ts';
import { notYet, ready, waitFor } from '../harness/sys/wait.ts';

const test = simTest({
  name: 'three-clusters',
  clusters: ['A', 'B', 'C'].map((name) => ({ name, workers: ['w1', 'w2'], pods: [{ name: 'p1', worker: 'w1' }, { name: 'p2', worker: 'w2' }] })),
});

describe('multi-cluster: a line of three, and a ring', () => {
  test('a service of A reaches clients in C across B, then over the ring when B is gone', async ({ sim }) => {
    const server = sim.cluster('A').pod('p2');
    server.start('echo', ['socat', 'TCP-LISTEN:7000,fork,reuseaddr', 'EXEC:echo from-A']);
    await server.waitListening(7000);

    // Exposing to a cluster no link reaches could never be ready: refused at once.
    await expect(sim.multicluster.expose('A', { name: 'echo', host: server, port: 7000 }, { to: ['C'], port: 1028 })).rejects.toThrow(/to\.0: C is not linked to A, directly or through others/);
    await sim.link('A', 'B');
    await sim.link('B', 'C');
    const echo = await sim.multicluster.expose('A', { name: 'echo', host: server, port: 7000 }, { to: ['C'], port: 1028 });
    const { host, port } = sim.multicluster.endpoint(echo, 'C');
    const ask = () => sim.cluster('C').pod('p2').exec(['socat', '-T', '5', '-', `TCP:${host}:${port}`], { input: '', reject: false });

    expect((await ask()).stdout.trim()).toBe('from-A');
    // C's router reaches A in two hops, through B (router.node, as skrouterd reports it).
    const nodeA = async () => (await sim.multicluster.router('C').query('router.node', ['id', 'nextHop', 'cost'])).find((n) => n['id'] === 'A');
    expect(await nodeA()).toEqual({ id: 'A', nextHop: 'B', cost: 2 });

    // Close the ring with a costlier direct link, then take B's router away.
    await sim.link('A', 'C', { cost: 5 });
    await sim.multicluster.router('B').stop();
    const rerouted = await waitFor(
      "C's route to A to go over the direct link",
      async () => {
        const a = await nodeA();
        return a?.['cost'] === 5 ? ready(a) : notYet(JSON.stringify(a ?? 'A not in router.node'));
      },
      { timeoutMs: 20_000 },
    );
    expect(rerouted).toEqual({ id: 'A', nextHop: null, cost: 5 });
    await waitFor("C's tcpListener for echo:7000 to be up", async () => {
      const l = await sim.multicluster.router('C').read('tcpListener', 'echo:7000');
      return l['operStatus'] === 'up' ? ready(l) : notYet(JSON.stringify(l));
    }, { timeoutMs: 10_000 });
    expect((await ask()).stdout.trim()).toBe('from-A');
  });
});
