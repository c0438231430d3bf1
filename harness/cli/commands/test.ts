import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanDeadRuns, cleanStateDir, REPO_ROOT } from '../../grading/isolated-run.ts';
import { VITEST } from '../../grading/scenario-run.ts';
import { OUTPUT_MARKER, writeOutputMarker } from '../../shards/output-marker.ts';
import { parseShard, shardText, type Shard } from '../../shards/shard.ts';
import { buildBundles } from '../../sys/bundle-build.ts';
import { groupDeadline } from '../../sys/group-deadline.ts';
import { groupMembers } from '../../sys/proc.ts';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { notYet, ready, waitFor } from '../../sys/wait.ts';
import { SUITE_DIR_ENV } from '../../testing/leftover-check.ts';
import { parse } from './args.ts';
import { markFlaky } from './flaky.ts';
import { generateReport, REPORT_DIR_DEFAULT } from './report.ts';

const DEFAULT_DEADLINE_MIN = 60;

const USAGE = `knetsim test [PATHS...] [--all] [--report-dir DIR] [--retries N] [--no-report] [--shard I/N] [--deadline MIN]

Runs scenario files with vitest (default: the scenarios project, with the built-in skupper
router unless KNETSIM_ROUTER says otherwise; --all: every test, unit tests included, and,
when skrouterd is on PATH, the scenarios-skrouterd project: the multi-cluster scenarios
again against the real skrouterd), then writes the HTML report (Allure) and JUnit XML:
  DIR/html/index.html   the report          (DIR default: ${REPORT_DIR_DEFAULT})
  DIR/junit.xml         for CI
  DIR/allure-results/   the raw results ('knetsim report' regenerates the HTML from them)
--retries N re-runs a failed test up to N times; one that passes on a retry is marked
flaky in the report, and its failed tries keep their evidence.
--shard I/N runs only the I-th of N parts of the test files (vitest's own sharding), on
this machine, and adds vitest's blob report (DIR/blob/) and DIR/${OUTPUT_MARKER};
'knetsim merge' makes one report of the N folders (docs/sharding.md). DIR default:
reports/shard-I-of-N. A shard that vitest gives no file passes.
Helper bundles a source change made stale are rebuilt first (npm run build:helpers).
--deadline MIN stops vitest (SIGTERM, then SIGKILL) when the whole run takes longer
(default ${DEFAULT_DEADLINE_MIN}; every test and hook has its own time-out besides).
Stopped (the deadline, Ctrl-C, SIGTERM), vitest and its workers go as one process group,
and the simulations and temp folders they left are removed before knetsim test exits.
Exit code: 0 when every test passed, 1 otherwise (128 + the signal's number when stopped by one).`;

export async function test(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    all: { type: 'boolean' },
    'report-dir': { type: 'string' },
    retries: { type: 'string' },
    'no-report': { type: 'boolean' },
    shard: { type: 'string' },
    deadline: { type: 'string' },
  });
  if (!a) return 0;
  const deadlineMin = Number(a.values.deadline ?? DEFAULT_DEADLINE_MIN);
  if (!(deadlineMin > 0)) {
    console.error(`knetsim test: --deadline must be a positive number of minutes, got "${a.values.deadline}"`);
    return 2;
  }
  const shard = a.values.shard === undefined ? undefined : parseShard(a.values.shard);
  const reportDir = resolve(a.values['report-dir'] ?? (shard ? `reports/shard-${shard.index}-of-${shard.count}` : REPORT_DIR_DEFAULT));
  const retries = a.values.retries ?? '0';
  if (!/^\d+$/.test(retries)) {
    console.error(`knetsim test: --retries must be a whole number, got "${retries}"`);
    return 2;
  }
  for (const old of ['allure-results', 'junit.xml', 'flaky.json', 'failed-tries', 'blob', OUTPUT_MARKER]) {
    rmSync(`${reportDir}/${old}`, { recursive: true, force: true });
  }
  mkdirSync(reportDir, { recursive: true });
  await rebuildStaleHelpers();
  const select = a.positionals.length ? a.positionals : a.values.all ? [] : ['--project', 'scenarios'];
  const blob = shard ? `blob/blob-${shard.index}-${shard.count}.json` : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, KNETSIM_REPORT_DIR: reportDir };
  delete env.KNETSIM_BLOB_FILE;
  if (blob) env.KNETSIM_BLOB_FILE = `${reportDir}/${blob}`;
  const code = await runVitest(['run', ...select, '--retry', retries, ...(shard ? shardArgs(shard) : [])], env, { deadlineMs: deadlineMin * 60_000, flag: `--deadline ${deadlineMin}` });
  if (shard) {
    writeOutputMarker(reportDir, { kind: 'test', shard, blob: blob!, selection: select, exitCode: code });
  }
  const flaky = markFlaky(reportDir);
  if (flaky) console.log(`${flaky} test(s) passed only on a retry: marked flaky in the report`);
  const totals = junitTotals(`${reportDir}/junit.xml`);
  if (totals) console.log(`\n${shard ? `shard ${shardText(shard)}: ` : ''}${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  if (!a.values['no-report'] && existsSync(`${reportDir}/allure-results`)) {
    const html = await generateReport(reportDir);
    console.log(`\nreport: ${html}\njunit:  ${reportDir}/junit.xml`);
  }
  return code === 0 ? 0 : 1;
}

/** vitest's own sharding (split by recorded durations: vitest.config.ts); a shard given no file passes. */
function shardArgs(shard: Shard): string[] {
  return ['--shard', shardText(shard), '--passWithNoTests'];
}

/** Time between SIGTERM and SIGKILL of a vitest past its deadline. */
const VITEST_KILL_GRACE_MS = 20_000;

/**
 * vitest in a child, in the repository, its output on ours. Resolves to its exit code, or 1
 * when it was stopped at `deadlineMs` (saying so: its own output above shows how far it got).
 *
 * A vitest stopped by a signal exits at once, with no teardown, and its worker processes
 * run on as orphans. So vitest runs in a process group of its own: the deadline, and Ctrl-C,
 * SIGTERM or SIGHUP to this process, go to the whole group, and whatever is left of it when
 * vitest has gone is killed. What it would leave is put where this process removes it after:
 * vitest's transform folders in a temp dir of its own (TMPDIR), the test run's temp folder
 * (KNETSIM_SUITE_DIR, harness/testing/leftover-check.ts) made here, and its simulations,
 * reaped from their state folder as `knetsim clean` does.
 */
export async function runVitest(args: string[], env: NodeJS.ProcessEnv, deadline: { deadlineMs: number; flag: string }): Promise<number> {
  const own = makeTempDir('vitest');
  const suite = makeTempDir('suite');
  const child = spawn(process.execPath, [VITEST, ...args], {
    stdio: 'inherit', cwd: REPO_ROOT, detached: true, env: { ...env, TMPDIR: own.path, [SUITE_DIR_ENV]: suite.path },
  });
  const group = groupDeadline(child.pid, deadline.deadlineMs, VITEST_KILL_GRACE_MS, () => {
    console.error(`\nknetsim: vitest ${args[0] === 'run' ? args.slice(1).join(' ') : args.join(' ')} did not finish within ${Math.round(deadline.deadlineMs / 1000)} s (${deadline.flag}): stopping it; its output above shows the last test it ran`);
  });
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
    group.signal(sig);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const sig of signals) process.on(sig, onSignal);
  try {
    const code = await new Promise<number | null>((done) => {
      child.on('error', () => done(1));
      child.on('exit', (c) => done(c));
    });
    return group.timedOut ? 1 : (code ?? 1);
  } finally {
    // Orphaned workers (vitest was stopped) go now; then their simulations.
    group.end();
    if (group.timedOut || interrupted) {
      await waitGroupGone(child.pid, VITEST_KILL_GRACE_MS);
      await reapLeftRuns(env.KNETSIM_STATE_DIR ?? join(suite.path, 'state'), env.KNETSIM_STATE_DIR !== undefined);
    }
    for (const sig of signals) process.off(sig, onSignal);
    suite.remove();
    own.remove();
    if (interrupted) process.exit(128 + osConstants.signals[interrupted]);
  }
}

/** Waits (polling, at most `ms`) until no live process of group `pgid` is left; says so if one is. */
async function waitGroupGone(pgid: number | undefined, ms: number): Promise<void> {
  if (pgid === undefined) return;
  await waitFor(`vitest's process group ${pgid} to end`, async () => {
    const left = groupMembers(pgid);
    return left.length === 0 ? ready(undefined) : notYet(`pids ${left.join(' ')}`);
  }, { timeoutMs: ms }).catch((e: Error) => console.error(`knetsim test: ${e.message}`));
}

/**
 * The simulations a stopped vitest left: every run of the test run's own state folder, or,
 * in a state folder the user named (shared), those whose owner is gone (plain `knetsim clean`).
 */
async function reapLeftRuns(stateDir: string, shared: boolean): Promise<void> {
  if (shared) return cleanDeadRuns(stateDir);
  const runs = await cleanStateDir(stateDir);
  if (runs.length) console.error(`knetsim test: removed ${runs.length} simulation(s) the stopped vitest left (${runs.join(', ')})`);
}

/**
 * Scenarios start their helpers (kube-proxy agents, routers...) from prebuilt bundles;
 * a source edited since the last build would make them fall back to tsx. Rebuilding the
 * stale ones takes well under a second, and nothing when all are fresh.
 */
async function rebuildStaleHelpers(): Promise<void> {
  try {
    const built = (await buildBundles()).filter((r) => r.status === 'built');
    if (built.length) console.log(`knetsim test: rebuilt ${built.length} helper bundle(s) (${built[0]!.reason})`);
  } catch (e) {
    console.error(`knetsim test: could not rebuild the helper bundles, they run through tsx: ${(e as Error).message}`);
  }
}

/** The counts of a vitest JUnit file (its <testsuites> element and skipped cases). */
export function junitTotals(file: string): { passed: number; failed: number; skipped: number } | undefined {
  if (!existsSync(file)) return undefined;
  const xml = readFileSync(file, 'utf8');
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0];
  if (!root) return undefined;
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  const skipped = (xml.match(/<skipped\b/g) ?? []).length;
  const failed = attr('failures') + attr('errors');
  return { passed: attr('tests') - failed - skipped, failed, skipped };
}
