// Sharding end to end: the same tests run once whole and as separate shard processes (each
// with its own state folder and report folder), then `knetsim merge`; the merged report must
// say what the single run says. Real simulations, real vitest, real Allure.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseJunit } from '../grading/junit.ts';
import { KNETSIM_BIN, REPO_ROOT, runIsolated, type IsolatedRunResult } from '../grading/isolated-run.ts';
import { diffSnapshots } from '../matrix/diff.ts';
import type { VariantResult } from '../matrix/run-matrix.ts';
import { mapLimit } from '../model/concurrency.ts';
import { DURATIONS_FILE } from '../shards/duration-sequencer.ts';
import { partitionByDuration, readDurations } from '../shards/durations.ts';
import { OUTPUT_MARKER } from '../shards/output-marker.ts';
import { makeTempDir } from '../sys/temp-dir.ts';

const tmp = makeTempDir('shards');
afterAll(() => tmp.remove());
const work = tmp.path;

const TWO_WORKERS = join(REPO_ROOT, 'harness/matrix/fixtures/two-workers.topology.json');
/** Children at once: the machine has two cores. */
const AT_ONCE = 2;

/** `knetsim ARGS` in a child of its own: own process group, own KNETSIM_STATE_DIR (cleaned after), output in a log. */
async function knetsim(name: string, args: string[], env: Record<string, string> = {}): Promise<IsolatedRunResult & { log: string }> {
  const logFile = join(work, 'logs', `${name}.log`);
  const r = await runIsolated({ argv: [process.execPath, KNETSIM_BIN, ...args], cwd: REPO_ROOT, env: { NO_COLOR: '1', ...env }, timeoutMs: 300_000, logFile });
  return { ...r, log: readFileSync(logFile, 'utf8') };
}

interface AllureResult {
  fullName: string;
  historyId: string;
  status: string;
  steps?: AllureStep[];
  attachments?: { name: string; source: string }[];
}
interface AllureStep {
  name: string;
  steps?: AllureStep[];
  attachments?: { name: string; source: string }[];
}

function allureResults(reportDir: string): AllureResult[] {
  const dir = join(reportDir, 'allure-results');
  if (!existsSync(dir)) return []; // a shard that ran no test
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult);
}

/** A test's evidence as names: steps (nested) and attachments, in order. */
function evidence(r: AllureResult | AllureStep): unknown {
  return { attachments: (r.attachments ?? []).map((a) => a.name), steps: (r.steps ?? []).map((s) => [s.name, evidence(s)]) };
}

function attachmentSources(r: AllureResult | AllureStep): string[] {
  return [...(r.attachments ?? []).map((a) => a.source), ...(r.steps ?? []).flatMap(attachmentSources)];
}

const junitCases = (reportDir: string) =>
  parseJunit(readFileSync(join(reportDir, 'junit.xml'), 'utf8'))
    .cases.map((c) => `${c.file} > ${c.name}: ${c.failure ? 'failed' : c.skipped ? 'skipped' : 'passed'}`)
    .sort();

describe('knetsim test --shard and knetsim merge', () => {
  test('4 shards, merged, report what one run reports', { timeout: 900_000 }, async () => {
    // Two real simulations on two workers (chapter 1 expects three workers and two clusters:
    // one of its tests fails here, on purpose, so outcomes other than "passed" are compared)
    // and four files of pure logic. Six files, split by their recorded durations.
    const files = [
      'scenarios/ch1-workers-and-containers.test.ts',
      'scenarios/ch2-flannel-config.test.ts',
      'harness/matrix/matrix.test.ts',
      'harness/cli/tokenize.test.ts',
      'harness/shards/shard.test.ts',
      'harness/cli/commands/test.test.ts',
    ];
    const env = { KNETSIM_TOPOLOGY: TWO_WORKERS };
    const single = join(work, 'single');
    const shardDir = (i: number) => join(work, `shard-${i}`);
    const started = Date.now();
    const runs = await mapLimit([0, 1, 2, 3, 4], AT_ONCE, (i) =>
      i === 0
        ? knetsim('single', ['test', ...files, '--report-dir', single], env)
        : knetsim(`shard-${i}`, ['test', ...files, '--shard', `${i}/4`, '--report-dir', shardDir(i), '--no-report'], env),
    );
    const merged = join(work, 'merged');
    const m = await knetsim('merge', ['merge', ...[1, 2, 3, 4].map(shardDir), '--out', merged]);
    console.log(`single run and 4 shards (${AT_ONCE} at a time) and merge: ${Math.round((Date.now() - started) / 1000)} s`);

    // Nothing any child made is left: each had its own state folder, cleaned after it.
    for (const r of [...runs, m]) expect(r.cleaned, r.log).toEqual([]);
    // A test fails on purpose: the single run, the shard that ran it and the merge say so.
    expect(runs[0]!.exitCode, runs[0]!.log).toBe(1);
    expect(m.exitCode, m.log).toBe(1);

    // The shards ran disjoint parts whose union is the whole.
    const whole = junitCases(single);
    expect(whole.length).toBeGreaterThan(20);
    expect(whole.filter((c) => c.endsWith(': failed'))).toEqual([
      'scenarios/ch1-workers-and-containers.test.ts > chapter 1: workers and containers > workers ping each other: failed',
    ]);
    const parts = [1, 2, 3, 4].map((i) => junitCases(shardDir(i)));
    expect(parts.flat().sort()).toEqual(whole);
    // Split by the recorded durations (conf/test-durations.json), as partitionByDuration says.
    const seconds = readDurations(DURATIONS_FILE).file!.seconds;
    const project = (f: string) => (f.startsWith('scenarios/') || f.endsWith('.sim.test.ts') ? 'scenarios' : 'unit');
    const planned = partitionByDuration(files.map((f) => ({ key: `${project(f)}:${f}`, seconds: seconds[f] })), 4);
    const ran = (i: number) => [...new Set(parts[i - 1]!.map((c) => c.split(' > ')[0]))].sort();
    for (const i of [1, 2, 3, 4]) expect(ran(i), `shard ${i}`).toEqual(files.filter((_, k) => planned[k] === i - 1).sort());
    for (const i of [1, 2, 3, 4]) {
      const marker = JSON.parse(readFileSync(join(shardDir(i), OUTPUT_MARKER), 'utf8'));
      expect(marker).toMatchObject({ kind: 'test', shard: { index: i, count: 4 }, selection: files });
      expect(existsSync(join(shardDir(i), marker.blob))).toBe(true);
    }

    // JUnit: the same cases with the same outcomes, the same totals, one suite per file.
    expect(junitCases(merged)).toEqual(whole);
    const rootOf = (dir: string) => /<testsuites\b[^>]*>/.exec(readFileSync(join(dir, 'junit.xml'), 'utf8'))![0].replace(/ time="[^"]*"/, '');
    expect(rootOf(merged)).toBe(rootOf(single));
    const suites = [...readFileSync(join(merged, 'junit.xml'), 'utf8').matchAll(/<testsuite name="([^"]+)"/g)].map((x) => x[1]).sort();
    expect(suites).toEqual([...files].sort());
    expect(m.log).toMatch(new RegExp(`merged 4 shard\\(s\\): ${whole.length - 1} passed, 1 failed`));

    // Allure: the same tests (fullName, historyId) with the same statuses.
    const key = (r: AllureResult) => `${r.fullName} ${r.historyId} ${r.status}`;
    const mergedResults = allureResults(merged);
    expect(mergedResults.map(key).sort()).toEqual(allureResults(single).map(key).sort());
    expect(mergedResults).toHaveLength(whole.length);
    // ... and each keeps the evidence its shard recorded: the same steps and attachments, whose files are there.
    const fromShards = new Map([1, 2, 3, 4].flatMap((i) => allureResults(shardDir(i)).map((r) => [r.fullName, r] as const)));
    let attachments = 0;
    for (const r of mergedResults) {
      expect(evidence(r), r.fullName).toEqual(evidence(fromShards.get(r.fullName)!));
      for (const source of attachmentSources(r)) expect(existsSync(join(merged, 'allure-results', source)), source).toBe(true);
      attachments += attachmentSources(r).length;
    }
    expect(attachments).toBeGreaterThan(10); // CNI results, pings, topology pictures, daemon logs of the failed test

    // The HTML report counts what the single run's counts.
    const stats = (dir: string) => JSON.parse(readFileSync(join(dir, 'html', 'summary.json'), 'utf8')).stats;
    expect(existsSync(join(merged, 'html', 'index.html'))).toBe(true);
    expect(stats(merged)).toEqual(stats(single));
    expect(stats(merged).total).toBe(whole.length);

    // A missing shard is named; --partial merges the rest and still fails.
    const partial = await knetsim('merge-partial', ['merge', shardDir(1), shardDir(2), shardDir(4), '--out', join(work, 'partial'), '--no-report']);
    expect(partial.exitCode).toBe(1);
    expect(partial.log).toMatch(/missing shard\(s\) 3\/4 of 4: give every shard's folder, or --partial/);
    const partial2 = await knetsim('merge-partial2', ['merge', shardDir(1), shardDir(2), shardDir(4), '--out', join(work, 'partial'), '--partial', '--no-report']);
    expect(partial2.exitCode, partial2.log).toBe(1);
    expect(junitCases(join(work, 'partial'))).toEqual([...parts[0]!, ...parts[1]!, ...parts[3]!].sort());

    // A shard given no file passes (one file, two shards).
    const empty = await knetsim('empty-shard', ['test', 'harness/cli/tokenize.test.ts', '--shard', '2/2', '--report-dir', join(work, 'empty-shard'), '--no-report']);
    expect(empty.exitCode, empty.log).toBe(0);
    expect(junitCases(join(work, 'empty-shard'))).toEqual([]);
  });

  test('a matrix run as 2 shards, merged, equals the matrix run whole', { timeout: 900_000 }, async () => {
    const variants = join(work, 'variants.json');
    writeFileSync(
      variants,
      JSON.stringify({
        topology: TWO_WORKERS,
        scenarios: ['harness/matrix/fixtures/pods-reach.scenario.ts'],
        // Dealt round-robin: shard 1 gets vxlan and ipip (skipped: knetsim has no ipip backend), shard 2 no-default-gw.
        variants: [{ name: 'vxlan' }, { name: 'no-default-gw', cni: { isDefaultGateway: false } }, { name: 'ipip', flannel: { Backend: { Type: 'ipip' } } }],
      }),
    );
    const out = (name: string) => join(work, `matrix-${name}`);
    const runs = await mapLimit(['whole', '1', '2'], AT_ONCE, (name) =>
      name === 'whole'
        ? knetsim('matrix-whole', ['matrix', '--variants', variants, '--out', out(name)])
        : knetsim(`matrix-${name}`, ['matrix', '--variants', variants, '--out', out(name), '--shard', `${name}/2`, '--parallel', '1']),
    );
    expect(runs.map((r) => r.exitCode)).toEqual([1, 0, 1]); // no-default-gw breaks a scenario
    const m = await knetsim('matrix-merge', ['merge', out('2'), out('1'), '--out', out('merged')]);
    expect(m.exitCode, m.log).toBe(1);

    const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')) as VariantResult[];
    const outcome = (rs: VariantResult[]) =>
      rs.map((r) => ({ variant: r.variant.name, skipped: r.skipped, cells: r.cells.map((c) => ({ ...c, failed: c.failed.map((f) => f.name) })), snapshot: !!r.snapshot }));
    const whole = read(out('whole'));
    const merged = read(out('merged'));
    expect(outcome(merged)).toEqual(outcome(whole));
    expect(outcome(merged).map((o) => [o.variant, o.cells[0]!.status])).toEqual([
      ['vxlan', 'passed'],
      ['no-default-gw', 'failed'],
      ['ipip', 'skipped'],
    ]);
    // The dataplane diffs are against the plan's first variant, as in the whole run.
    const sections = (rs: VariantResult[]) => diffSnapshots(rs[0]!.snapshot!, rs[1]!.snapshot!).map((d) => `${d.node} ${d.section}`);
    expect(sections(merged)).toEqual(sections(whole));
    const rows = (dir: string) => [...readFileSync(join(dir, 'index.html'), 'utf8').matchAll(/<tr data-variant="([^"]+)"/g)].map((x) => x[1]);
    expect(rows(out('merged'))).toEqual(['vxlan', 'no-default-gw', 'ipip']);
    expect(existsSync(join(out('merged'), 'work', 'no-default-gw', 'scenarios', 'vitest.log'))).toBe(true);
  });

  test('a class graded as 4 shards (knetsim grade --shard), merged, gives the grades of one run', { timeout: 300_000 }, async () => {
    // The deck's exercises without their scenario checks (those are graded in sandboxes by
    // grade.sim.test.ts): every data check, graded for real by the CLI, over the four samples.
    const exercises = join(work, 'grade-exercises');
    for (const id of readdirSync(join(REPO_ROOT, 'exercises')).filter((d) => existsSync(join(REPO_ROOT, 'exercises', d, 'exercise.json')))) {
      cpSync(join(REPO_ROOT, 'exercises', id), join(exercises, id), { recursive: true });
      const file = join(exercises, id, 'exercise.json');
      const ex = JSON.parse(readFileSync(file, 'utf8')) as { checks: { id: string; kind: string; requires?: string[] }[] };
      const kept = ex.checks.filter((c) => c.kind !== 'scenario');
      const ids = new Set(kept.map((c) => c.id));
      ex.checks = kept.map((c) => (c.requires ? { ...c, requires: c.requires.filter((r) => ids.has(r)) } : c));
      writeFileSync(file, JSON.stringify(ex));
    }
    const submissions = join(REPO_ROOT, 'exercises/samples');
    const out = (name: string) => join(work, `grades-${name}`);
    const grade = (name: string, extra: string[] = []) =>
      knetsim(`grade-${name}`, ['grade', '--submissions', submissions, '--exercises', exercises, '--out', out(name), ...extra]);
    const runs = await mapLimit(['whole', '1', '2', '3', '4'], AT_ONCE, (name) => grade(name, name === 'whole' ? [] : ['--shard', `${name}/4`]));
    expect(runs.map((r) => r.exitCode), runs.map((r) => r.log).join('\n')).toEqual([0, 0, 0, 0, 0]);
    const m = await knetsim('grade-merge', ['merge', out('3'), out('1'), out('4'), out('2'), '--out', out('merged')]);
    expect(m.exitCode, m.log).toBe(0);

    // Every CSV equal, and every student's checks; only dates and run times may differ.
    for (const csv of ['grades.csv', 'checks.csv', 'moodle.csv', 'canvas.csv']) {
      expect(readFileSync(join(out('merged'), csv), 'utf8'), csv).toBe(readFileSync(join(out('whole'), csv), 'utf8'));
    }
    const students = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'grades.json'), 'utf8')) as { students: { student: string; durationMs?: number; gradedAt?: string; exercises: { checks: { durationMs?: number }[] }[] }[] }).students
        .map(({ durationMs: _d, gradedAt: _g, ...r }) => ({ ...r, exercises: r.exercises.map((e) => ({ ...e, checks: e.checks.map(({ durationMs: _, ...c }) => c) })) }))
        .sort((a, b) => a.student.localeCompare(b.student));
    expect(students(out('merged'))).toEqual(students(out('whole')));
    expect(students(out('whole')).map((r) => r.student)).toEqual(['broken', 'empty', 'partial', 'perfect']);
    expect(readdirSync(join(out('merged'), 'students')).sort()).toEqual(['broken.html', 'empty.html', 'partial.html', 'perfect.html']);

    // A shard left out is named, and nothing is merged.
    const missing = await knetsim('grade-merge-missing', ['merge', out('1'), out('2'), out('4'), '--out', out('partial')]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.log).toMatch(/missing shard\(s\) 3\/4 of 4/);
  });
});
