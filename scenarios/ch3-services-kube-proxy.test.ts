// Services as kube-proxy does them: only hairpin traffic is masqueraded (a same-worker
// client keeps its source address; a pod reaching itself through its VIP works thanks to
// the bridge's hairpin mode), and UDP services spread, converge, and lose no client to a
// stale conntrack entry after an endpoint goes.
import { describe, expect, test } from '../harness/testing/index.ts';
import { parseConntrack } from '../harness/components/kube-proxy/conntrack.ts';

describe('kube-proxy: masquerade and UDP', () => {
  test('a client on the endpoint\'s own worker keeps its source address; a remote one too', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const near = await c0.createPod('near', 'w1'); // same worker as the endpoint c1
    try {
      const svc = await c0.expose('keep-src', { port: 80, targetPort: 8080, pods: ['c1'] });
      const local = await svc.spread(50, { from: near });
      expect(local).toOnlyHit(['c1']);
      expect(local.peers).toEqual({ [near.ip]: 50 });
      const remote = await svc.spread(50, { from: c0.pod('c2') });
      expect(remote).toOnlyHit(['c1']);
      expect(remote.peers).toEqual({ [c0.pod('c2').ip]: 50 });
      // Only the hairpin rule marks for masquerade, matching the endpoint's own address.
      const { text } = await c0.services.ruleset('w1');
      expect(text).toContain(`ip saddr ${c0.pod('c1').ip} jump mark-for-masquerade`);
      expect(text).not.toMatch(/ip saddr \d+\.\d+\.\d+\.\d+\/\d+ jump mark-for-masquerade/);
    } finally {
      await near.delete();
    }
  });

  test('hairpin: a pod reaches itself through its VIP, masqueraded to its worker\'s bridge address; it needs the bridge port\'s hairpin mode', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const c1 = c0.pod('c1');
    const svc = await c0.expose('hairpin', { port: 80, targetPort: 8080, pods: ['c1'] });
    const self = await svc.spread(30, { from: c1 });
    expect(self).toOnlyHit(['c1']);
    const gateway = c1.worker.subnet.subnet.split('/')[0]!; // cni0's address: FLANNEL_SUBNET's first host
    expect(self.peers).toEqual({ [gateway]: 30 });

    // The frame DNATed back to c1 leaves the bridge by the port it came in on: only hairpin mode allows that.
    const w1 = c1.worker;
    const links = JSON.parse((await w1.exec(['bridge', '-j', '-d', 'link', 'show'])).stdout) as { ifname: string; master?: string; hairpin?: boolean }[];
    const peerIndex = (await c1.exec(['cat', '/sys/class/net/eth0/iflink'])).stdout.trim();
    const all = JSON.parse((await w1.exec(['ip', '-j', 'link', 'show'])).stdout) as { ifindex: number; ifname: string }[];
    const portName = all.find((l) => String(l.ifindex) === peerIndex)!.ifname;
    expect(links.find((l) => l.ifname === portName)).toMatchObject({ master: 'cni0', hairpin: true });
    await w1.exec(['bridge', 'link', 'set', 'dev', portName, 'hairpin', 'off']);
    try {
      const without = await svc.spread(5, { from: c1, timeoutMs: 300 });
      expect(without.failures).toBe(5);
    } finally {
      await w1.exec(['bridge', 'link', 'set', 'dev', portName, 'hairpin', 'on']);
    }
    expect(await svc.spread(5, { from: c1 })).toOnlyHit(['c1']);
  });

  test('a UDP service spreads evenly over three endpoints (power-sized), answers from the VIP', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const pods = await Promise.all([c0.createPod('u1', 'w1'), c0.createPod('u2', 'w2'), c0.createPod('u3', 'w3')]);
    try {
      const dns = await c0.expose('dns', { ports: [{ protocol: 'UDP', port: 53, targetPort: 5353 }], pods });
      const s = await dns.spread({ from: c0.pod('c1'), concurrency: 8 });
      expect(s.target).toBe(`udp ${dns.vip}:53`);
      expect(s.total).toBeGreaterThanOrEqual(1290); // requestsForPower for 3 endpoints
      expect(s).toBeBalanced();
      expect(s.power).toMatch(/fails this test with probability 0\.99/);
      // Every answer came back through the un-DNAT: the probe's socket is connected to VIP:53.
      expect(s.peers).toEqual({ [c0.pod('c1').ip]: s.total });
    } finally {
      await Promise.all(pods.map((p) => p.delete()));
    }
  });

  test('UDP: after an endpoint is deleted the rules converge and a long-lived client moves on (stale conntrack entry cleared)', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [a, b] = await Promise.all([c0.createPod('ua', 'w2'), c0.createPod('ub', 'w3')]);
    const svc = await c0.expose('udp-kp', { ports: [{ protocol: 'udp', port: 5300, targetPort: 5300 }], pods: [a, b] });
    expect(await svc.spread({ concurrency: 8 })).toBeBalanced();

    // One client socket, one source port: one conntrack entry, so always the same endpoint.
    const client = { from: c0.pod('c1'), sourcePort: 40530 };
    const before = await svc.spread(20, client);
    const [picked] = Object.entries(before.counts).find(([, n]) => n > 0)!;
    expect(before).toOnlyHit([picked]);
    const gone = picked === 'ua' ? a : b;
    const survivor = picked === 'ua' ? 'ub' : 'ua';
    const w1 = c0.pod('c1').worker;
    const flowsBefore = parseConntrack((await w1.exec(['conntrack', '-L', '-p', 'udp', '--orig-dst', svc.vip])).stdout);
    expect(flowsBefore.find((f) => f.origSport === 40530)?.replySrc).toBe(gone.ip);

    await gone.delete();
    await svc.converged();
    // The agent on w1 deleted the entry that still pointed at the deleted pod...
    const flowsAfter = parseConntrack((await w1.exec(['conntrack', '-L', '-p', 'udp', '--orig-dst', svc.vip])).stdout);
    expect(flowsAfter.map((f) => f.replySrc)).not.toContain(gone.ip);
    // ...so the same client, same source port, now reaches the survivor.
    expect(await svc.spread(20, client)).toOnlyHit([survivor]);
    expect(await svc.spread(100, { concurrency: 8 })).toOnlyHit([survivor]);
    await c0.pod(survivor).delete();
  });
});
