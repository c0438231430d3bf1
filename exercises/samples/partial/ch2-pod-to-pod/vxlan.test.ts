import { describe, expect, test } from 'knetsim/testing';

// Only connectivity: a wrong VNI goes unnoticed.
describe('pod to pod', () => {
  test('c1 reaches c2', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    await expect(c0.pod('c1')).toReach(c0.pod('c2'), { count: 2, interval: 0.2 });
  });
});
