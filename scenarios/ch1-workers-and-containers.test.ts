// Chapter 1 of the deck: workers are hosts, containers are network namespaces.
import { describe, expect, test } from '../harness/testing/index.ts';

describe('chapter 1: workers and containers', () => {
  test('workers ping each other', async ({ sim }) => {
    for (const cluster of sim.clusters.values()) {
      const [w1, w2, w3] = cluster.listWorkers();
      await expect(w1).toReach(w2!);
      await expect(w2).toReach(w3!);
      await expect(w3).toReach(w1!);
    }
    // The top switch joins the clusters' switches, as in knetsim.
    await expect(sim.cluster('C0').worker('w1')).toReach(sim.cluster('C1').worker('w1'));
  });

  test('a command in a pod sees only the pod network', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const pod = c0.pod('c1');
    const links = (await pod.exec(['ip', '-o', 'link', 'show'])).stdout;
    const names = [...links.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(['eth0', 'lo']);

    const workerLinks = (await pod.worker.exec(['ip', '-o', 'link', 'show'])).stdout;
    expect(workerLinks).toMatch(/flannel\.100/);
    expect(workerLinks).toMatch(/cni0/);

    // Counters are per namespace: pinging the pod's loopback moves only the pod's lo counters.
    const loRx = async (node: { exec: typeof pod.exec }) =>
      Number(JSON.parse((await node.exec(['ip', '-j', '-s', 'link', 'show', 'lo'])).stdout)[0].stats64.rx.packets);
    const [podBefore, workerBefore] = [await loRx(pod), await loRx(pod.worker)];
    await pod.exec(['ping', '-c', '3', '-i', '0.01', '-q', '127.0.0.1']);
    expect(await loRx(pod)).toBeGreaterThanOrEqual(podBefore + 6);
    expect(await loRx(pod.worker)).toBe(workerBefore);
  });

  test('create and delete container c10 on C0w1', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const w1 = c0.worker('w1');
    const c10 = await w1.createPod('c10');
    expect(c10.ip).toBeInSubnet(w1.subnet.subnet);
    await expect(c0.pod('c2')).toReach(c10);
    expect(await netnsExists(c10.netns)).toBe(true);

    await c10.delete();
    expect(c0.hasPod('c10')).toBe(false);
    expect(await netnsExists(c10.netns)).toBe(false);
    // Its address went back to host-local: nothing in the IPAM store holds it any more.
    const held = await w1.exec(['ls', `${w1.cni.options.dir}/ipam/${w1.fullName}`]);
    expect(held.stdout.split('\n')).not.toContain(c10.ip);
    await expect(c0.pod('c2')).not.toReach(c10.ip, { count: 2, wait: 0.5 });
  });

  test('pod names are checked before anything is created', async ({ sim }) => {
    const w1 = sim.cluster('C0').worker('w1');
    await expect(w1.createPod('bad name; rm -rf /')).rejects.toThrow(/pod name.*DNS label/s);
    await expect(w1.createPod('c1')).rejects.toThrow(/already has a pod named "c1"/);
  });
});

async function netnsExists(name: string): Promise<boolean> {
  const { existsSync } = await import('node:fs');
  return existsSync(`/run/netns/${name}`);
}
