import { describe, expect, test } from 'knetsim/testing';

describe('service web', () => {
  test('200 requests from c1 are all answered, and both pods answer their share', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const svc = c0.services.has('web') ? c0.services.get('web') : await c0.expose('web', { vip: '100.64.20.1', port: 80, targetPort: 8080, pods: ['c2', 'c3'] });
    await svc.startBackends('tcp');
    const spread = await svc.spread(200, { from: c0.pod('c1') });
    expect(spread.failures).toBe(0);
    expect(spread.counts.c2).toBeGreaterThan(0);
    expect(spread.counts.c3).toBeGreaterThan(0);
  });
});
