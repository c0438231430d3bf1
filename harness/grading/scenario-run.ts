import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fault } from './faults.ts';
import { FAULTS_ENV } from './faults.ts';
import { REPO_ROOT, runIsolated } from './isolated-run.ts';
import { parseJunit, type JunitSummary } from './junit.ts';

/** student-testing.ts writes this file into $KNETSIM_REPORT_DIR once the simulation is up. */
export const SIM_STARTED_MARKER = 'simulation-started';

const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('./vitest.isolated.config.ts', import.meta.url));

export type ScenarioOutcome = 'passed' | 'failed' | 'error' | 'timeout';

export interface ScenarioRunOptions {
  /** The folder vitest runs in (--root); files are relative to it (default: all its scenarios). */
  root: string;
  files?: readonly string[];
  /** Results (allure-results, junit.xml), the child's log and its state folder go here. */
  workDir: string;
  topologyFile?: string;
  faults?: readonly Fault[];
  env?: Record<string, string>;
  timeoutMs: number;
}

export interface ScenarioRunResult {
  outcome: ScenarioOutcome;
  /** One line: why this outcome. */
  reason: string;
  junit: JunitSummary | undefined;
  durationMs: number;
  logFile: string;
  reportDir: string;
  outputTail: string;
  /** The simulation came up (and got its faults) before the tests ran: marked by student-testing.ts. */
  simStarted: boolean;
}

/**
 * Runs scenario files in a vitest child of its own (own process group, state folder, report
 * folder, deadline). `passed`: every test passed; `failed`: the tests ran and at least one
 * failed; `error`: nothing ran (no tests, a syntax error, a crash); `timeout`: killed.
 */
export async function runScenario(o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const reportDir = join(o.workDir, 'report');
  const logFile = join(o.workDir, 'vitest.log');
  const env: Record<string, string> = { NO_COLOR: '1', FORCE_COLOR: '0', ...o.env, KNETSIM_REPORT_DIR: reportDir, [FAULTS_ENV]: JSON.stringify(o.faults ?? []) };
  if (o.topologyFile) env.KNETSIM_TOPOLOGY = o.topologyFile;
  const r = await runIsolated({
    argv: [process.execPath, VITEST, 'run', '--config', CONFIG, '--root', o.root, ...(o.files ?? [])],
    cwd: REPO_ROOT,
    env,
    timeoutMs: o.timeoutMs,
    logFile,
  });
  const junitFile = join(reportDir, 'junit.xml');
  const junit = existsSync(junitFile) ? parseJunit(readFileSync(junitFile, 'utf8')) : undefined;
  const simStarted = existsSync(join(reportDir, SIM_STARTED_MARKER));
  const base = { junit, durationMs: r.durationMs, logFile, reportDir, outputTail: r.outputTail, simStarted };
  if (r.timedOut) return { ...base, outcome: 'timeout', reason: `killed after ${Math.round(o.timeoutMs / 1000)} s (time limit)` };
  if (!junit || junit.tests === 0) {
    const why = /Error: .*|SyntaxError.*|No test files found.*/.exec(r.outputTail)?.[0] ?? `vitest exited with ${r.exitCode ?? r.signal}`;
    return { ...base, outcome: 'error', reason: `no test ran: ${why}` };
  }
  const bad = junit.failed.length;
  if (bad === 0 && r.exitCode === 0) return { ...base, outcome: 'passed', reason: `${junit.passed.length} test(s) passed` };
  if (bad === 0) return { ...base, outcome: 'error', reason: `vitest exited with ${r.exitCode ?? r.signal} though no test failed` };
  const first = junit.failed[0]!;
  return { ...base, outcome: 'failed', reason: `${bad} of ${junit.tests} test(s) failed; first: "${first.name}": ${first.message}` };
}
