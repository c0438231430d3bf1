// Exercise check (run by the grader with the student's service.json beside it): the Service,
// created as written, answers on its VIP and spreads c1's requests over its pods.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'knetsim/testing';

const { name, ...options } = JSON.parse(readFileSync(new URL('./service.json', import.meta.url), 'utf8'));

describe('the student service', () => {
  test('created as written, it spreads requests from c1 over its pods', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const svc = await c0.expose(name, options);
    // No n: enough requests that a share 10 points off fair fails with ≥ 99 % probability.
    const spread = await svc.spread({ from: c0.pod('c1') });
    expect(spread.failures).toBe(0);
    expect(spread).toBeBalanced();
  });
});
