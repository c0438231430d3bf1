// What `import { test, expect } from 'knetsim/testing'` means in a scenario the grader or the
// matrix runs (vitest.isolated.config.ts aliases it here): the usual testing API, whose `sim`
// runs $KNETSIM_TOPOLOGY and, once up, gets the faults in $KNETSIM_FAULTS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulation } from '../model/simulation.ts';
import { simTest } from '../testing/fixture.ts';
import { applyFaults, faultsFromEnv } from './faults.ts';

export * from '../testing/index.ts';

const broken = new WeakSet<Simulation>();

export const test = simTest().extend<{ faults: void }>({
  faults: [
    async ({ sim }, use) => {
      if (!broken.has(sim)) {
        broken.add(sim);
        await applyFaults(sim, faultsFromEnv());
        // Tells the grader that a failure is the tests' own, not a simulation that never came up.
        const dir = process.env.KNETSIM_REPORT_DIR;
        if (dir) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'simulation-started'), sim.runId);
        }
      }
      await use();
    },
    { auto: true, scope: 'file' },
  ],
});
