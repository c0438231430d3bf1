// Chapter 2 of the deck, with tcpdump: pod traffic between workers is really VXLAN on port 8472.
import { describe, expect, test } from '../harness/testing/index.ts';

const PING = { count: 2, interval: 0.2 };

describe('chapter 2: VXLAN on the wire', () => {
  test('c1 → c2 across workers is VXLAN to UDP 8472, VNI 100, between the workers, around the pods\' ICMP', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [w1, w2] = [c0.worker('w1'), c0.worker('w2')];
    const [c1, c2] = [c0.pod('c1'), c0.pod('c2')];
    const uplink = await w1.capture({ filter: 'udp port 8472' });
    // The lead may add sim.underlay.capture(); until then, the underlay namespace directly.
    const bridge = await sim.underlay.capture({ iface: 'br-C0', filter: 'udp port 8472' });
    try {
      await expect(c1).toReach(c2, PING);
    } finally {
      await Promise.all([uplink.stop(), bridge.stop()]);
    }
    for (const cap of [uplink, bridge]) {
      const packets = await cap.stop();
      expect(packets).toContainVxlan({
        vni: 100,
        outer: { src: w1.ip, dst: w2.ip, dport: 8472 },
        inner: { icmp: 'echo-request', src: c1.ip, dst: c2.ip },
      });
      expect(packets).toContainVxlan({
        vni: 100,
        outer: { src: w2.ip, dst: w1.ip, dport: 8472 },
        inner: { icmp: 'echo-reply', src: c2.ip, dst: c1.ip },
      });
      // Nothing else uses another VNI on this cluster's wire.
      expect(packets.where((p) => p.vxlan !== undefined && p.vxlan.vni !== 100).summaries()).toEqual([]);
      await expect(cap).toAgreeWithTshark();
    }
  });

  test('on flannel.100 the same ping is plain ICMP between the pod addresses, no VXLAN', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [c1, c2] = [c0.pod('c1'), c0.pod('c2')];
    const cap = await c0.worker('w1').capture({ iface: 'flannel.100', filter: 'icmp' });
    try {
      await expect(c1).toReach(c2, PING);
    } finally {
      await cap.stop();
    }
    const packets = await cap.stop();
    const requests = packets.where({ ipv4: { src: c1.ip, dst: c2.ip }, icmp: 'echo-request' });
    const replies = packets.where({ ipv4: { src: c2.ip, dst: c1.ip }, icmp: 'echo-reply' });
    expect(requests.count, packets.summaries().join('\n')).toBe(PING.count);
    expect(replies.count, packets.summaries().join('\n')).toBe(PING.count);
    expect(packets).not.toContainVxlan();
    expect(packets.where((p) => p.udp !== undefined).count).toBe(0);
    await expect(cap).toAgreeWithTshark();
  });

  test('a ping between two pods on the same worker puts nothing on port 8472', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const w1 = c0.worker('w1');
    const c1 = c0.pod('c1');
    const neighbour = await w1.createPod('c1n');
    try {
      const wire = await w1.capture({ filter: 'udp port 8472' });
      // The control: the same ping does cross w1's cni0 bridge, so the capture is not blind.
      const cni0 = await w1.capture({ iface: 'cni0', filter: 'icmp' });
      try {
        await expect(c1).toReach(neighbour, PING);
      } finally {
        await Promise.all([wire.stop(), cni0.stop()]);
      }
      const onWire = await wire.stop();
      expect(onWire.count, onWire.summaries().join('\n')).toBe(0);
      expect(onWire).not.toContainVxlan();
      const onBridge = await cni0.stop();
      expect(onBridge.where({ ipv4: { src: c1.ip, dst: neighbour.ip }, icmp: 'echo-request' }).count).toBeGreaterThan(0);
      await expect(wire).toAgreeWithTshark();
      await expect(cni0).toAgreeWithTshark();
    } finally {
      await neighbour.delete();
    }
  });
});
