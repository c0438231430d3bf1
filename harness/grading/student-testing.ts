// What `import { test, expect } from 'knetsim/testing'` means in a scenario the grader or the
// matrix runs (vitest.isolated.config.ts aliases it here): the usual testing API, whose `sim`
// runs $KNETSIM_TOPOLOGY. Under the grader ($KNETSIM_GRADING_DIR), the simulation also gets
// the check's setup, and the tests wait until the grader has looked at it: the grader marks
// nothing for the child, it injects a broken variant's faults from outside, then says go.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulation } from '../model/simulation.ts';
import { notYet, ready, waitFor } from '../sys/wait.ts';
import { simTest } from '../testing/fixture.ts';
import { applySetup, GRADING_DIR_ENV, SetupSchema } from './setup.ts';

export * from '../testing/index.ts';

/** How long the tests wait for the grader's go once the simulation is up. */
export const GO_TIMEOUT_MS = 60_000;
const GO_POLL_MS = 50;

const dir = process.env[GRADING_DIR_ENV];

function mark(name: 'starting' | 'up', runId: string): void {
  if (!dir) return;
  const file = join(dir, 'sync', name);
  writeFileSync(`${file}.tmp`, `${runId}\n`);
  renameSync(`${file}.tmp`, file);
}

async function waitForGo(): Promise<void> {
  const go = join(dir!, 'sync', 'go');
  await waitFor(`the grader's go (${go})`, async () => (existsSync(go) ? ready(undefined) : notYet('no such file')), {
    timeoutMs: GO_TIMEOUT_MS,
    intervalMs: GO_POLL_MS,
    maxIntervalMs: GO_POLL_MS,
  });
}

const prepared = new WeakSet<Simulation>();

export const test = simTest(undefined, { onEvent: (e) => e.kind === 'run' && mark('starting', e.runId) }).extend<{ grading: void }>({
  grading: [
    async ({ sim }, use) => {
      if (dir && !prepared.has(sim)) {
        prepared.add(sim);
        const setupFile = join(dir, 'setup.json');
        if (existsSync(setupFile)) await applySetup(sim, SetupSchema.parse(JSON.parse(readFileSync(setupFile, 'utf8'))));
        mark('up', sim.runId);
        await waitForGo();
      }
      await use();
    },
    { auto: true, scope: 'file' },
  ],
});
