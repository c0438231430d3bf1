import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../../grading/isolated-run.ts';
import { VITEST } from '../../grading/scenario-run.ts';
import { OUTPUT_MARKER, writeOutputMarker } from '../../shards/output-marker.ts';
import { parseShard, shardText, type Shard } from '../../shards/shard.ts';
import { buildBundles } from '../../sys/bundle-build.ts';
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
Exit code: 0 when every test passed, 1 otherwise.`;

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

/** vitest's own sharding; a shard its split leaves empty (ceil(files/N) per shard) passes. */
function shardArgs(shard: Shard): string[] {
  return ['--shard', shardText(shard), '--passWithNoTests'];
}

/** Time between SIGTERM and SIGKILL of a vitest past its deadline (simulations tear down on SIGTERM). */
const VITEST_KILL_GRACE_MS = 20_000;

/**
 * vitest in a child, in the repository, its output on ours. Resolves to its exit code, or 1
 * when it was stopped at `deadlineMs` (saying so: its own output above shows how far it got).
 */
export function runVitest(args: string[], env: NodeJS.ProcessEnv, deadline: { deadlineMs: number; flag: string }): Promise<number> {
  return new Promise<number>((done) => {
    const child = spawn(process.execPath, [VITEST, ...args], { stdio: 'inherit', cwd: REPO_ROOT, env });
    let hard: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\nknetsim: vitest ${args[0] === 'run' ? args.slice(1).join(' ') : args.join(' ')} did not finish within ${Math.round(deadline.deadlineMs / 1000)} s (${deadline.flag}): stopping it; its output above shows the last test it ran`);
      child.kill('SIGTERM');
      hard = setTimeout(() => child.kill('SIGKILL'), VITEST_KILL_GRACE_MS);
    }, deadline.deadlineMs);
    const end = (code: number) => {
      clearTimeout(timer);
      if (hard) clearTimeout(hard);
      done(timedOut ? 1 : code);
    };
    child.on('error', () => end(1));
    child.on('exit', (c) => end(c ?? 1));
  });
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
