import { describe, expect, test } from 'knetsim/testing';

describe('pod to pod over VXLAN', () => {
  test('c1 reaches c2, and the wire carries VXLAN VNI 100 on port 8472', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [c1, c2] = [c0.pod('c1'), c0.pod('c2')];
    const cap = await c0.worker('w1').capture({ filter: 'udp' });
    try {
      await expect(c1).toReach(c2, { count: 2, interval: 0.2 });
    } finally {
      await cap.stop();
    }
    expect(await cap.stop()).toContainVxlan({ vni: 100, outer: { dport: 8472 }, inner: { icmp: 'echo-request', src: c1.ip, dst: c2.ip } });
  });
});
