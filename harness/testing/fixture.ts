import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from 'vitest';
import { Simulation } from '../model/simulation.ts';
import { loadTopology, planTopology, type Topology } from '../model/topology.ts';
import { tailLines } from '../sys/errors.ts';
import { allureReporter } from './allure-reporter.ts';

export const DEFAULT_TOPOLOGY_FILE = fileURLToPath(new URL('../../conf/topology.default.json', import.meta.url));

export interface SimFixtures {
  /** A running simulation, built once per file and torn down after its last test. */
  sim: Simulation;
  /** @internal Attaches the daemon logs of live simulations to a failed test. */
  logsOnFailure: void;
  /** @internal Undoes the faults a test injected, after it, passed or failed. */
  faultsUndone: void;
}

/** The default topology: the file KNETSIM_TOPOLOGY names (knetsim matrix, grading), else conf/topology.default.json. */
export function defaultTopology(): string {
  return process.env.KNETSIM_TOPOLOGY || DEFAULT_TOPOLOGY_FILE;
}

/** A topology file path, or a topology object (validated like a file). */
export type TopologyInput = string | Record<string, unknown>;

export function resolveTopology(input: TopologyInput): Topology {
  return typeof input === 'string' ? loadTopology(input) : planTopology(input, { source: 'topology object' });
}

/** Simulations of this worker process that are up, for the failure evidence. */
const live = new Set<Simulation>();

/** How much of each daemon log a failed test carries. */
const LOG_TAIL_LINES = 300;

function logFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile() && name.endsWith('.log')) out.push(p);
    }
  };
  try {
    walk(dir);
  } catch {
    /* the run is gone */
  }
  return out.sort();
}

/**
 * A vitest `test` whose `sim` fixture runs the given topology (default: $KNETSIM_TOPOLOGY, else
 * conf/topology.default.json).
 * `scope: 'file'` builds one simulation per file, `'test'` a fresh one per test. Every
 * harness operation becomes an Allure step; a failed test gets the daemons' logs.
 */
export function simTest(topology: TopologyInput = defaultTopology(), opts: { scope?: 'file' | 'test' } = {}) {
  return base.extend<SimFixtures>({
    sim: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const sim = await Simulation.start({ topology: resolveTopology(topology), title: 'vitest', reporter: allureReporter });
        live.add(sim);
        try {
          await use(sim);
        } finally {
          live.delete(sim);
          await sim.stop();
        }
      },
      { scope: opts.scope ?? 'file' },
    ],
    logsOnFailure: [
      async ({ onTestFailed }, use) => {
        onTestFailed(async () => {
          for (const sim of live) {
            for (const file of logFiles(sim.runDir)) {
              const text = tailLines(readFileSync(file, 'utf8'), LOG_TAIL_LINES);
              await allureReporter.attach(`log ${relative(sim.runDir, file)}`, text || '(empty)', 'text/plain');
            }
          }
        });
        await use();
      },
      { auto: true },
    ],
    faultsUndone: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        await use();
        // A fault never outlives its test: the next test of the file shares the simulation.
        const errors: unknown[] = [];
        for (const sim of live) await sim.faults.undoAll().catch((e: unknown) => errors.push(e));
        if (errors.length > 0) throw errors[0];
      },
      { auto: true },
    ],
  });
}

export const test = simTest();
