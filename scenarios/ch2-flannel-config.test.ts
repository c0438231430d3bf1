// Chapter 2, optional exercise: change the flannel config and see the pods' addresses change.
import { describe, expect, simTest } from '../harness/testing/index.ts';

const test = simTest({
  name: 'ch2-other-network',
  flannel: { Network: '12.34.0.0/16', SubnetLen: 24, Backend: { Type: 'vxlan', VNI: 100, Port: 8472 } },
  clusters: [
    {
      name: 'C0',
      workers: ['w1', 'w2'],
      pods: [
        { name: 'c1', worker: 'w1' },
        { name: 'c2', worker: 'w2' },
      ],
    },
  ],
});

describe('chapter 2: another flannel network config', () => {
  test('pods get addresses in the new Network, one /24 per worker, and still reach each other', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    for (const w of c0.listWorkers()) {
      expect(w.subnet.subnet).toMatch(/\/24$/);
      expect(w.subnet.network).toBe('12.34.0.0/16');
    }
    for (const p of c0.listPods()) expect(p.ip).toBeInSubnet('12.34.0.0/16');
    const leases = await c0.leases();
    expect([...leases.keys()].every((k) => k.endsWith('-24'))).toBe(true);
    await expect(c0.pod('c1')).toReach(c0.pod('c2'));
  });
});
