// Exercise check (run by the grader with the student's flannel.json in the two-worker topology):
// pods on two workers talk, and the wire shows VXLAN with the config's own VNI and port.
import { describe, expect, test } from 'knetsim/testing';

describe('the student flannel config', () => {
  test('c1 reaches c2 across workers, over VXLAN with the configured VNI and port', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const backend = c0.plan.flannel.Backend;
    expect(backend.Type).toBe('vxlan');
    if (backend.Type !== 'vxlan') return;
    const cap = await c0.worker('w1').capture({ filter: `udp port ${backend.Port}` });
    try {
      await expect(c0.pod('c1')).toReach(c0.pod('c2'), { count: 2, interval: 0.2 });
    } finally {
      await cap.stop();
    }
    expect(await cap.stop()).toContainVxlan({ vni: backend.VNI, outer: { dport: backend.Port }, inner: { icmp: 'echo-request' } });
  });
});
