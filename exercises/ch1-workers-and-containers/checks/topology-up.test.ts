// Exercise check (run by the grader against the student's topology.json).
import { describe, expect, test } from 'knetsim/testing';

describe('the student topology', () => {
  test('every worker reaches every other, and c10 reaches each worker', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const workers = c0.listWorkers();
    for (const a of workers) for (const b of workers) if (a !== b) await expect(a).toReach(b, { count: 1 });
    for (const w of workers) await expect(c0.pod('c10')).toReach(w, { count: 1 });
  });
});
