// Chapter 2 of the deck: pods talk across workers over flannel's VXLAN, leases live in etcd.
import { describe, expect, test } from '../harness/testing/index.ts';
import { parseCidr, formatCidr } from '../harness/sys/ipv4.ts';

describe('chapter 2: container to container', () => {
  test('pods on the same worker reach each other over the cni0 bridge', async ({ sim }) => {
    const w1 = sim.cluster('C0').worker('w1');
    const c1 = sim.cluster('C0').pod('c1');
    const neighbour = await w1.createPod('c1b');
    try {
      await expect(c1).toReach(neighbour);
      // Same worker: the route is the pod subnet on eth0, no hop through the worker.
      const route = await c1.exec(['ip', 'route', 'get', neighbour.ip]);
      expect(route.stdout).not.toMatch(/ via /);
    } finally {
      await neighbour.delete();
    }
  });

  test('pods on different workers reach each other through the workers', async ({ sim }) => {
    for (const cluster of sim.clusters.values()) {
      const [c1, c2, c3] = ['c1', 'c2', 'c3'].map((n) => cluster.pod(n));
      await expect(c1).toReach(c2!);
      await expect(c2).toReach(c3!);
      await expect(c3).toReach(c1!);
    }
    // The route to another worker's pod goes via this worker's cni0 gateway, then flannel.100.
    const c0 = sim.cluster('C0');
    const c1 = c0.pod('c1');
    expect((await c1.exec(['ip', 'route', 'get', c0.pod('c2').ip])).stdout).toMatch(/ via /);
    const onWorker = await c1.worker.exec(['ip', 'route', 'get', c0.pod('c2').ip]);
    expect(onWorker.stdout).toMatch(/dev flannel\.100/);
  });

  test("each worker's flannel lease lies inside the configured Network with the configured SubnetLen", async ({ sim }) => {
    for (const cluster of sim.clusters.values()) {
      const { Network, SubnetLen } = cluster.plan.flannel;
      const leases = await cluster.leases();
      expect(leases.size).toBe(cluster.listWorkers().length);
      const byWorkerIp = new Map([...leases].map(([subnet, lease]) => [lease.PublicIP, subnet]));
      for (const w of cluster.listWorkers()) {
        const key = byWorkerIp.get(w.ip);
        expect(key, `lease of ${w.fullName}`).toBeDefined();
        const [base, len] = key!.split('-');
        expect(Number(len)).toBe(SubnetLen);
        expect(base).toBeInSubnet(Network);
        // The worker's subnet file and its lease agree; its pods got addresses from it.
        expect(formatCidr(parseCidr(w.subnet.subnet))).toBe(`${base}/${len}`);
        for (const p of cluster.listPods().filter((p) => p.worker === w)) expect(p.ip).toBeInSubnet(w.subnet.subnet);
      }
    }
  });
});
