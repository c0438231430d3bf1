// Dual-stack: flannel's EnableIPv6 gives every pod an IPv4 and an IPv6 address, pods talk
// IPv6 across workers over flannel-v6.<VNI> (VXLAN over the IPv6 underlay), and a Service
// can have an IPv6 VIP, programmed in `table ip6 knetsim` in kube-proxy's layout.
import { fileURLToPath } from 'node:url';
import { describe, expect, simTest } from '../harness/testing/index.ts';

// conf/topology.dual-stack.json: C0 with three workers, flannel-network-config.dual-stack.json
// (IPv6Network fd00:11::/48, a /64 per worker), underlay IPv6 fd00:10::/64.
const test = simTest(fileURLToPath(new URL('../conf/topology.dual-stack.json', import.meta.url)));

describe('dual-stack (flannel EnableIPv6)', () => {
  test('pods get an IPv4 and an IPv6 address from their worker\'s two flannel subnets', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    for (const p of c0.listPods()) {
      const w = p.worker;
      expect(p.ip).toBeInSubnet(w.subnet.subnet);
      expect(w.subnet.ipv6Subnet, w.fullName).toMatch(/^fd00:11:0:[0-9a-f]+::1?\/64$/);
      expect(p.ip6, p.label).toMatch(/^fd00:11:0:/);
    }
  });

  test('pods on two workers talk IPv6 over flannel-v6.100: the capture shows IPv6 inside VXLAN, over the IPv6 underlay', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [c1, c2] = [c0.pod('c1'), c0.pod('c2')];
    const [w1, w2] = [c1.worker, c2.worker];
    const routes = (await w1.exec(['ip', '-6', 'route', 'show'])).stdout;
    expect(routes).toContain(`${w2.subnet.ipv6Subnet!.replace(/::1\//, '::/')} via`);
    expect(routes).toMatch(/dev flannel-v6\.100/);
    const cap = await w1.capture({ filter: 'udp port 8472' });
    const stats = await c1.ping(c2.ip6!, { count: 3 });
    const packets = await cap.stop();
    expect(stats.received).toBe(3);
    expect(packets).toContainVxlan({
      vni: 100,
      outer: { src: w1.ip6!, dst: w2.ip6!, dport: 8472 },
      inner: { icmp: 'echo-request', src: c1.ip6!, dst: c2.ip6! },
    });
    // IPv4 keeps its own VXLAN device and outer IPv4 addresses.
    const cap4 = await w1.capture({ filter: 'udp port 8472' });
    await c1.ping(c2, { count: 2 });
    expect(await cap4.stop()).toContainVxlan({ vni: 100, outer: { src: w1.ip, dst: w2.ip }, inner: { icmp: 'echo-request', src: c1.ip, dst: c2.ip } });
  });

  test('a dual-stack service: an IPv6 VIP from fd00:10:96::/112 in table ip6 knetsim, kube-proxy\'s layout; spread over IPv6 is balanced', async ({ sim, annotate }) => {
    const c0 = sim.cluster('C0');
    const svc = await c0.expose('web6', { port: 80, targetPort: 8080, pods: ['c2', 'c3'], ipFamilies: ['IPv4', 'IPv6'] });
    expect(svc.vip6).toMatch(/^fd00:10:96::[0-9a-f]+$/);
    const { text, ruleset } = await c0.services.ruleset('w1', 'ip6');
    await annotate('nft list table ip6 knetsim (C0w1)', { body: text, contentType: 'text/plain' });
    for (const chain of ['prerouting', 'output', 'postrouting', 'services', 'masquerading', 'mark-for-masquerade']) expect(ruleset.hasChain(chain), chain).toBe(true);
    const parsed = ruleset.services().find((s) => s.vip === svc.vip6);
    expect(parsed).toMatchObject({ protocol: 'tcp', port: 80, pick: 'random' });
    expect(parsed!.endpoints.map((e) => `[${e.addr}]:${e.port}`).sort()).toEqual([c0.pod('c2').ip6, c0.pod('c3').ip6].map((ip) => `[${ip}]:8080`).sort());
    expect(text).toContain(`ip6 saddr ${c0.pod('c2').ip6} jump mark-for-masquerade`);
    // The IPv4 table has the same service on its IPv4 VIP.
    const v4 = (await c0.services.ruleset('w1')).ruleset.services().find((s) => s.vip === svc.vip);
    expect(v4?.endpoints.map((e) => e.addr).sort()).toEqual([c0.pod('c2').ip, c0.pod('c3').ip].sort());

    const c1 = c0.pod('c1');
    const s6 = await svc.spread({ from: c1, family: 6, concurrency: 8 });
    expect(s6.target).toBe(`tcp [${svc.vip6}]:80`);
    expect(s6).toBeBalanced();
    expect(s6.peers).toEqual({ [c1.ip6!]: s6.total }); // no masquerade: the client's own IPv6 address
  });

  test('IPv6 through the VIP: same-worker client keeps its address, hairpin is masqueraded, UDP spreads', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const near = await c0.createPod('near6', 'w2');
    try {
      const svc = await c0.expose('one6', { ports: [{ port: 80, targetPort: 8080 }, { port: 53, targetPort: 5353, protocol: 'UDP' }], pods: ['c2'], ipFamilies: ['IPv4', 'IPv6'] });
      const local = await svc.spread(40, { from: near, family: 6 });
      expect(local).toOnlyHit(['c2']);
      expect(local.peers).toEqual({ [near.ip6!]: 40 });
      const self = await svc.spread(20, { from: c0.pod('c2'), family: 6 });
      expect(self).toOnlyHit(['c2']);
      const gateway6 = c0.pod('c2').cni.gateway6!;
      expect(self.peers).toEqual({ [gateway6]: 20 });
      const udp = await svc.spread(60, { from: c0.pod('c1'), family: 6, protocol: 'udp' });
      expect(udp.target).toBe(`udp [${svc.vip6}]:53`);
      expect(udp).toOnlyHit(['c2']);
    } finally {
      await near.delete();
    }
  });

  test('UDP over IPv6 spreads evenly and converges after an endpoint is deleted', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [a, b] = await Promise.all([c0.createPod('v6a', 'w2'), c0.createPod('v6b', 'w3')]);
    const svc = await c0.expose('dns6', { ports: [{ port: 53, targetPort: 5353, protocol: 'udp' }], pods: [a, b], ipFamilies: ['IPv4', 'IPv6'] });
    expect(await svc.spread({ from: c0.pod('c1'), family: 6, concurrency: 8 })).toBeBalanced();
    await b.delete();
    await svc.converged();
    expect(await svc.spread(100, { from: c0.pod('c1'), family: 6, concurrency: 8 })).toOnlyHit(['v6a']);
    await a.delete();
  });
});

