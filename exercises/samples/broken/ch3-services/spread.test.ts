import { describe, expect, test } from 'knetsim/testing';

// Wrong expectation: c1 sends the requests, it is not one of web's pods.
describe('service web', () => {
  test('c1 answers too', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const spread = await c0.services.get('web').spread(200, { from: c0.pod('c1') });
    expect(spread.counts.c1).toBeGreaterThan(0);
  });
});
