import { test as base } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../model/simulation.ts';
import { loadTopology, planTopology, type Topology } from '../model/topology.ts';

export const DEFAULT_TOPOLOGY_FILE = fileURLToPath(new URL('../../conf/topology.default.json', import.meta.url));

export interface SimFixtures {
  /** A running simulation, built once per file and torn down after its last test. */
  sim: Simulation;
}

/** A topology file path, or a topology object (validated like a file). */
export type TopologyInput = string | Record<string, unknown>;

export function resolveTopology(input: TopologyInput): Topology {
  return typeof input === 'string' ? loadTopology(input) : planTopology(input, { source: 'topology object' });
}

/**
 * A vitest `test` whose `sim` fixture runs the given topology (default: conf/topology.default.json).
 * `scope: 'file'` builds one simulation per file, `'test'` a fresh one per test.
 */
export function simTest(topology: TopologyInput = DEFAULT_TOPOLOGY_FILE, opts: { scope?: 'file' | 'test' } = {}) {
  return base.extend<SimFixtures>({
    sim: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const sim = await Simulation.start({ topology: resolveTopology(topology), title: 'vitest' });
        try {
          await use(sim);
        } finally {
          await sim.stop();
        }
      },
      { scope: opts.scope ?? 'file' },
    ],
  });
}

export const test = simTest();
