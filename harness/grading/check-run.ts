import { dirname, join } from 'node:path';
import { toolsRoot } from '../components/tools/tool-paths.ts';
import { planTopology } from '../model/topology.ts';
import { applyFaults, childNetnsExec, type Fault } from './faults.ts';
import { REPO_ROOT } from './isolated-run.ts';
import { parseJunit, type JunitSummary } from './junit.ts';
import { runSandboxed } from './sandbox/run-sandboxed.ts';
import { CHILD_REPORT, CHILD_RUN, CHILD_STATE, CHILD_TMP } from './sandbox/spec.ts';
import { ISOLATED_CONFIG, scenarioOutcome, VITEST, type ScenarioOutcome } from './scenario-run.ts';
import { GRADING_DIR_ENV, type Setup } from './setup.ts';

/** Between the child's `up` and the grader's `go`, whatever the variant: applying faults hides inside it. */
export const HOLD_MS = 1_000;
/** The most of a child's output kept as its log. */
export const MAX_LOG_BYTES = 1024 * 1024;
/** Size of a child's private /tmp (its simulation's state, etcd's data). */
const CHILD_TMP_MIB = 1024;
/** RLIMIT_NPROC of a child's uid. */
const CHILD_MAX_PROCESSES = 1024;
/** Settings of the grader's environment a child gets too (the same for every child). */
const PASSED_ENV = ['KNETSIM_TOOLS', 'KNETSIM_ROUTER'];

export interface CheckRunInput {
  /** The scenario as the child sees it: student.test.ts (the student's) or check.test.ts (the exercise's). */
  scenario: { name: string; text: string };
  /** Files beside it, under their own names. */
  data: { name: string; text: string }[];
  /** The topology the child builds, as an object (flannel inline). */
  topology: Record<string, unknown>;
  setup: Setup;
  /** Applied by the grader once the simulation is up (the child is told nothing). */
  faults: readonly Fault[];
  timeoutMs: number;
  /** Host folders the child must not see (the submissions, the output). */
  hide: readonly string[];
}

export interface CheckRunResult {
  outcome: ScenarioOutcome;
  reason: string;
  junit: JunitSummary | undefined;
  durationMs: number;
  /** The child's output (capped). */
  log: string;
  /** The simulation started being built; it came up (with its setup) and waited for the grader. */
  simStarting: boolean;
  simUp: boolean;
  /** The faults were applied before the tests ran (true with none, once the simulation was up). */
  faultsApplied: boolean;
  /** Why the run says nothing about the student: the sandbox or a fault failed. */
  infraError: string | undefined;
}

export type CheckRunner = (input: CheckRunInput) => Promise<CheckRunResult>;

/** What a child sees of the host besides the system folders: the repository, the tools, node. */
export function childReadOnly(): string[] {
  const node = dirname(process.execPath);
  return [REPO_ROOT.replace(/\/$/, ''), toolsRoot(), ...(node.startsWith('/usr/') ? [] : [node])];
}

/**
 * Runs one scenario check in a sandbox (sandbox/launcher-main.ts). The child gets the same
 * files, paths, environment and argv in every variant; a broken variant's faults are
 * applied from outside once its simulation is up, during a hold of the same length either way.
 */
export const runCheckScenario: CheckRunner = async (input) => {
  const plan = planTopology(input.topology, { source: 'topology.json' });
  const files: Record<string, string> = {
    [`scenario/${input.scenario.name}`]: input.scenario.text,
    'topology.json': JSON.stringify(input.topology, null, 2) + '\n',
    'setup.json': JSON.stringify(input.setup) + '\n',
  };
  for (const d of input.data) files[`scenario/${d.name}`] = d.text;
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: CHILD_TMP,
    TMPDIR: CHILD_TMP,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    KNETSIM_STATE_DIR: CHILD_STATE,
    KNETSIM_TOPOLOGY: `${CHILD_RUN}/topology.json`,
    KNETSIM_REPORT_DIR: CHILD_REPORT,
    [GRADING_DIR_ENV]: CHILD_RUN,
  };
  for (const k of PASSED_ENV) if (process.env[k]) env[k] = process.env[k]!;
  let faultsApplied = false;
  const r = await runSandboxed({
    spec: {
      readOnly: childReadOnly(),
      hide: [...input.hide, join(REPO_ROOT, 'reports')],
      files,
      links: { node_modules: join(REPO_ROOT, 'node_modules') },
      env,
      argv: [process.execPath, VITEST, 'run', '--configLoader', 'runner', '--config', ISOLATED_CONFIG, '--root', `${CHILD_RUN}/scenario`],
      cwd: CHILD_RUN,
      tmpMiB: CHILD_TMP_MIB,
      maxProcesses: CHILD_MAX_PROCESSES,
    },
    timeoutMs: input.timeoutMs,
    maxLogBytes: MAX_LOG_BYTES,
    holdMs: HOLD_MS,
    onMark: async (m) => {
      if (m.name !== 'up') return;
      if (input.faults.length) {
        if (m.childPid === undefined) throw new Error('the child process was not found to apply the faults in');
        await applyFaults(input.faults, m.runId!, plan, childNetnsExec(m.childPid));
      }
      faultsApplied = true;
    },
  });
  const junit = r.junit ? parseJunit(r.junit) : undefined;
  const { outcome, reason } = scenarioOutcome({ junit, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, timeoutMs: input.timeoutMs, outputTail: r.outputTail });
  return {
    outcome,
    reason,
    junit,
    durationMs: r.durationMs,
    log: r.log,
    simStarting: r.marks.starting !== undefined,
    simUp: r.marks.up !== undefined,
    faultsApplied,
    infraError: r.sandboxError ? `the sandbox failed: ${r.sandboxError}` : r.markError ? `the broken variant could not be set up: ${r.markError}` : undefined,
  };
};
