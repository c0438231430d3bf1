import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runIsolated } from './isolated-run.ts';
import { parseJunit, type JunitSummary } from './junit.ts';

export const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
export const ISOLATED_CONFIG = fileURLToPath(new URL('./vitest.isolated.config.ts', import.meta.url));

export type ScenarioOutcome = 'passed' | 'failed' | 'error' | 'timeout';

export interface ScenarioRunOptions {
  /** The folder vitest runs in (--root); files are relative to it (default: all its scenarios). */
  root: string;
  files?: readonly string[];
  /** Results (allure-results, junit.xml), the child's log and its state folder go here. */
  workDir: string;
  topologyFile?: string;
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
}

/**
 * How a vitest run ended: `passed`, every test passed; `failed`, the tests ran and at least
 * one failed; `error`, nothing ran (no tests, a syntax error, a crash, process.exit);
 * `timeout`, killed at the deadline.
 */
export function scenarioOutcome(r: {
  junit: JunitSummary | undefined;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  timeoutMs: number;
  outputTail: string;
}): { outcome: ScenarioOutcome; reason: string } {
  if (r.timedOut) return { outcome: 'timeout', reason: `killed after ${Math.round(r.timeoutMs / 1000)} s (time limit)` };
  const j = r.junit;
  if (!j || j.tests === 0) {
    const why = /process\.exit[^\n]*|Error: .*|SyntaxError.*|No test files found.*/.exec(r.outputTail)?.[0] ?? `vitest exited with ${r.exitCode ?? r.signal}`;
    return { outcome: 'error', reason: `no test ran: ${why}` };
  }
  const bad = j.failed.length;
  if (bad === 0 && r.exitCode === 0) return { outcome: 'passed', reason: `${j.passed.length} test(s) passed` };
  if (bad === 0) {
    const why = /process\.exit[^\n]*|Unhandled[^\n]*/.exec(r.outputTail)?.[0];
    return { outcome: 'error', reason: `vitest exited with ${r.exitCode ?? r.signal} though no test failed${why ? `: ${why}` : ''}` };
  }
  const first = j.failed[0]!;
  return { outcome: 'failed', reason: `${bad} of ${j.tests} test(s) failed; first: "${first.name}": ${first.message}` };
}

/**
 * Runs scenario files in a vitest child of its own (own process group, state folder, report
 * folder, deadline), with the host's privileges: for scenarios the user trusts (knetsim
 * matrix). Student code is run by check-run.ts, in a sandbox.
 */
export async function runScenario(o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const reportDir = join(o.workDir, 'report');
  const logFile = join(o.workDir, 'vitest.log');
  const env: Record<string, string> = { NO_COLOR: '1', FORCE_COLOR: '0', ...o.env, KNETSIM_REPORT_DIR: reportDir };
  if (o.topologyFile) env.KNETSIM_TOPOLOGY = o.topologyFile;
  const r = await runIsolated({
    argv: [process.execPath, VITEST, 'run', '--config', ISOLATED_CONFIG, '--root', o.root, ...(o.files ?? [])],
    cwd: REPO_ROOT,
    env,
    timeoutMs: o.timeoutMs,
    logFile,
  });
  const junitFile = join(reportDir, 'junit.xml');
  const junit = existsSync(junitFile) ? parseJunit(readFileSync(junitFile, 'utf8')) : undefined;
  const { outcome, reason } = scenarioOutcome({ junit, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, timeoutMs: o.timeoutMs, outputTail: r.outputTail });
  return { outcome, reason, junit, durationMs: r.durationMs, logFile, reportDir, outputTail: r.outputTail };
}
