import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation.ts';
import { planTopology } from './topology.ts';
import { run } from '../sys/exec.ts';
import { Ledger } from '../sys/ledger.ts';
import { listNetns } from '../sys/netns.ts';
import { isSameProcess } from '../sys/proc.ts';
import '../testing/index.ts';

const small = (name: string) =>
  planTopology({
    name,
    clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }],
  });

/** The root namespace's links, addresses, routes and nft ruleset, as text. */
async function rootNetworkSnapshot(): Promise<Record<string, string>> {
  const [links, addrs, routes, rules, ruleset] = await Promise.all([
    run(['ip', '-j', 'link', 'show']),
    run(['ip', '-j', 'addr', 'show']),
    run(['ip', '-j', 'route', 'show', 'table', 'all']),
    run(['ip', '-j', 'rule', 'show']),
    run(['nft', 'list', 'ruleset']),
  ]);
  const strip = (json: string) => JSON.stringify(JSON.parse(json).map((o: Record<string, unknown>) => ({ ...o, valid_life_time: undefined, preferred_life_time: undefined })));
  return { links: strip(links.stdout), addrs: strip(addrs.stdout), routes: routes.stdout, rules: rules.stdout, ruleset: ruleset.stdout };
}

describe('Simulation', () => {
  it('two simulations run side by side without touching each other or the root namespace', async () => {
    const before = await rootNetworkSnapshot();
    const [a, b] = await Promise.all([Simulation.start({ topology: small('a') }), Simulation.start({ topology: small('b') })]);
    try {
      expect(a.runId).not.toBe(b.runId);
      // Same addresses in both (same plan), yet each run has its own namespaces and etcd.
      expect(a.cluster('C0').worker('w1').ip).toBe(b.cluster('C0').worker('w1').ip);
      const nsA = listNetns().filter((n) => n.startsWith(`kn-${a.runId}-`));
      const nsB = listNetns().filter((n) => n.startsWith(`kn-${b.runId}-`));
      expect(nsA.length).toBe(1 + 2 + 1 + 2); // underlay, workers, etcd, pods
      expect(nsB.length).toBe(nsA.length);
      await Promise.all([
        expect(a.cluster('C0').pod('c1')).toReach(a.cluster('C0').pod('c2')),
        expect(b.cluster('C0').pod('c1')).toReach(b.cluster('C0').pod('c2')),
      ]);
      // A pod made in one run is not seen by the other run's etcd or namespaces.
      await a.cluster('C0').worker('w2').createPod('extra');
      expect(b.cluster('C0').hasPod('extra')).toBe(false);
      expect((await a.cluster('C0').leases()).size).toBe(2);
      expect((await b.cluster('C0').leases()).size).toBe(2);
      // Stopping one leaves the other running.
      await a.stop();
      expect(listNetns().some((n) => n.startsWith(`kn-${a.runId}-`))).toBe(false);
      expect(existsSync(a.runDir)).toBe(false);
      await expect(b.cluster('C0').pod('c2')).toReach(b.cluster('C0').pod('c1'));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(listNetns().some((n) => n.startsWith(`kn-${b.runId}-`))).toBe(false);
    expect(await rootNetworkSnapshot()).toEqual(before);
  });

  it('runs a cluster with three etcd members', async () => {
    const topology = planTopology({
      name: 'etcd3',
      clusters: [{ name: 'C0', workers: ['w1', 'w2'], etcd: { members: 3 }, pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }],
    });
    const sim = await Simulation.start({ topology });
    try {
      const c0 = sim.cluster('C0');
      expect(c0.etcd.endpoints).toEqual(['http://10.0.0.200:2379', 'http://10.0.0.201:2379', 'http://10.0.0.202:2379']);
      const members = await c0.kv.cluster.memberList({});
      expect(members.members.map((m) => m.name).sort()).toEqual(['C0-e1', 'C0-e2', 'C0-e3']);
      expect((await c0.leases()).size).toBe(2);
      await expect(c0.pod('c1')).toReach(c0.pod('c2'));
    } finally {
      await sim.stop();
    }
  });

  it('records start-up phases in order', async () => {
    const phases: string[] = [];
    const sim = await Simulation.start({ topology: small('phases'), onEvent: (e) => e.kind === 'phase' && phases.push(e.phase) });
    try {
      expect(phases).toEqual(['namespaces', 'etcd', 'flannel', 'pods']);
      expect(sim.timings.every((t) => t.ms >= 0)).toBe(true);
    } finally {
      await sim.stop();
    }
  });

  it('a daemon that cannot start fails the start with its name and log tail, and leaves nothing', async () => {
    // Both etcd members get the same address: the second cannot bind, etcd exits and says why.
    const topo = small('broken');
    topo.clusters[0]!.etcd = [{ name: 'C0-e1', ip: '10.0.0.200' }, { name: 'C0-e2', ip: '10.0.0.200' }];
    const err = await Simulation.start({ topology: topo, readyTimeoutMs: 15_000 }).then(
      () => new Error('expected the start to fail'),
      (e: Error) => e,
    );
    expect(err.message).toMatch(/etcd C0-e[12]/);
    expect(err.message).toMatch(/--- last lines of .*etcd\.log ---/);
    // The message names the run (other tests run alongside: judge only this one).
    const [, runId, runDir] = /\(run ([a-z0-9]{4}); logs kept in (\S+)\)/.exec(err.message) ?? [];
    expect(runId, err.message).toBeDefined();
    try {
      expect(listNetns().filter((n) => n.startsWith(`kn-${runId}-`))).toEqual([]);
      const processes = Ledger.open(runDir!).entries().filter((e) => e.kind === 'process');
      expect(processes.length).toBeGreaterThan(0);
      for (const p of processes) if (p.kind === 'process') expect(isSameProcess(p.pid, p.startTime), p.name).toBe(false);
      // The failed run keeps its logs and nothing else.
      expect(existsSync(join(runDir!, 'etcd', 'C0', 'C0-e1', 'etcd.log'))).toBe(true);
    } finally {
      rmSync(runDir!, { recursive: true, force: true });
    }
  });
});
