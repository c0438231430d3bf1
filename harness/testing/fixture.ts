import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from 'vitest';
import { Simulation, type SimEvent } from '../model/simulation.ts';
import { loadTopology, planTopology, type Topology } from '../model/topology.ts';
import { tailLines } from '../sys/errors.ts';
import { allureReporter } from './allure-reporter.ts';
import { failedTryDir, saveFailedTry } from './failed-tries.ts';

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
 * `scope: 'file'` builds one simulation per file, `'test'` a fresh one per test; `onEvent`
 * hears the start-up's events (its run id first). Every
 * harness operation becomes an Allure step; a failed test gets the daemons' logs.
 */
export function simTest(topology: TopologyInput = defaultTopology(), opts: { scope?: 'file' | 'test'; onEvent?: (e: SimEvent) => void } = {}) {
  return base.extend<SimFixtures>({
    sim: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const sim = await Simulation.start({ topology: resolveTopology(topology), title: 'vitest', reporter: allureReporter, onEvent: opts.onEvent });
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
      async ({ onTestFailed, task }, use) => {
        onTestFailed(async () => {
          const logs = [...live].flatMap((sim) =>
            logFiles(sim.runDir).map((file) => ({ name: `log ${relative(sim.runDir, file)}`, text: tailLines(readFileSync(file, 'utf8'), LOG_TAIL_LINES) || '(empty)' })),
          );
          for (const log of logs) await allureReporter.attach(log.name, log.text, 'text/plain');
          // A retry replaces this try's report entry: keep its evidence where knetsim test finds it.
          const reportDir = process.env.KNETSIM_REPORT_DIR;
          if (reportDir && task.file) {
            const errors = (task.result?.errors ?? []).map((e) => `${e.message ?? ''}\n${e.stack ?? ''}`);
            saveFailedTry(failedTryDir(reportDir, task.file.name, fullNameOf(task), task.result?.retryCount ?? 0), errors, logs);
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

/** `suite > test`, as vitest's reporters name a test case. */
function fullNameOf(task: { name: string; suite?: { name: string; suite?: unknown } | undefined; file?: unknown }): string {
  const parts = [task.name];
  let s = task.suite as { name: string; suite?: unknown } | undefined;
  while (s && s !== task.file) {
    parts.unshift(s.name);
    s = s.suite as { name: string; suite?: unknown } | undefined;
  }
  return parts.join(' > ');
}
