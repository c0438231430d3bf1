// bench/shards: what sharding buys, side by side in one run. The same test files run
//   (1) once, whole, as one `knetsim test`;
//   (2) as N shards one after another, each alone on this machine: each shard's time is
//       what it takes on a machine of its own (a CI matrix job, a Kubernetes Job pod), so
//       the slowest of them is the sharded run's wall time on N machines; once split by
//       recorded durations (knetsim's sequencer), once by file count (vitest's own split,
//       KNETSIM_SHARD_SPLIT=count), unless --no-count;
//   (3) as N shards at once on this machine (what `knetsim test --shard` costs when the
//       shards share it), unless --no-together;
// then `knetsim merge` of (2), whose totals must equal (1)'s.
//
//   npx tsx bench/shards/run.ts [--shards 4] [--all] [--no-together] [--no-count] [PATHS...]
//
// Default selection: the scenarios project (what `knetsim test` runs). Every run is a child
// with its own state folder and report folder (runIsolated), as the shards of a CI matrix are.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseJunit } from '../../harness/grading/junit.ts';
import { KNETSIM_BIN, REPO_ROOT, runIsolated, type IsolatedRunResult } from '../../harness/grading/isolated-run.ts';
import { makeTempDir } from '../../harness/sys/temp-dir.ts';
import { loadAverage } from '../machine.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    shards: { type: 'string', default: '4' },
    all: { type: 'boolean', default: false },
    'no-together': { type: 'boolean', default: false },
    'no-count': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npx tsx bench/shards/run.ts [--shards 4] [--all] [--no-together] [--no-count] [PATHS...]  (see the comment at the top of this file)');
  process.exit(0);
}
const N = Number(values.shards);
if (!Number.isInteger(N) || N < 2) throw new Error(`--shards must be a whole number ≥ 2, got "${values.shards}"`);
const select = [...positionals, ...(values.all ? ['--all'] : [])];
/** A whole run's deadline: the suite's own target is 10 minutes. */
const RUN_TIMEOUT_MS = 20 * 60_000;

using tmp = makeTempDir('bench-shards');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function knetsim(name: string, args: string[], env: Record<string, string> = {}): Promise<IsolatedRunResult> {
  const r = await runIsolated({ argv: [process.execPath, KNETSIM_BIN, ...args], cwd: REPO_ROOT, env: { NO_COLOR: '1', ...env }, timeoutMs: RUN_TIMEOUT_MS, logFile: join(tmp.path, `${name}.log`) });
  if (r.timedOut || r.signal) throw new Error(`${name}: ${r.timedOut ? 'timed out' : `killed by ${r.signal}`}; its output ends:\n${r.outputTail}`);
  return r;
}

/** passed/failed/skipped per test case of a report folder's junit.xml. */
function outcomes(reportDir: string): Map<string, string> {
  const cases = parseJunit(readFileSync(join(reportDir, 'junit.xml'), 'utf8')).cases;
  return new Map(cases.map((c) => [`${c.file} > ${c.name}`, c.failure ? 'failed' : c.skipped ? 'skipped' : 'passed']));
}
const count = (m: Map<string, string>) => {
  const n = { passed: 0, failed: 0, skipped: 0 } as Record<string, number>;
  for (const v of m.values()) n[v]!++;
  return `${n['passed']} passed, ${n['failed']} failed${n['skipped'] ? `, ${n['skipped']} skipped` : ''}`;
};

console.log(`bench/shards: ${select.length ? select.join(' ') : 'the scenarios project'}, ${N} shards; ${loadAverage()}`);

// (1) whole
const single = join(tmp.path, 'single');
const one = await knetsim('single', ['test', ...select, '--no-report', '--report-dir', single]);
const whole = outcomes(single);
console.log(`(1) one run:                    ${s(one.durationMs)}  (${count(whole)})`);

// (2) each shard alone, split by durations and (unless --no-count) by count
async function alone(split: 'durations' | 'count'): Promise<void> {
  const times: number[] = [];
  for (let i = 1; i <= N; i++) {
    const r = await knetsim(`${split}-shard-${i}`, ['test', ...select, '--shard', `${i}/${N}`, '--no-report', '--report-dir', join(tmp.path, `${split}-shard-${i}`)], split === 'count' ? { KNETSIM_SHARD_SPLIT: 'count' } : {});
    times.push(r.durationMs);
  }
  const slowest = Math.max(...times);
  const mean = times.reduce((a, b) => a + b, 0) / N;
  const label = split === 'durations' ? 'by recorded durations' : "by file count (vitest's)";
  console.log(`(2) ${N} shards ${label}, each alone: ${times.map(s).join(', ')}`);
  console.log(`    on ${N} machines (slowest):   ${s(slowest)}  = ${(one.durationMs / slowest).toFixed(2)}x faster than (1); imbalance slowest/mean ${(slowest / mean).toFixed(2)}; sum ${s(times.reduce((a, b) => a + b, 0))}`);
}
await alone('durations');
if (!values['no-count']) await alone('count');

// (3) all shards at once, here
if (!values['no-together']) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: N }, (_, k) => knetsim(`together-${k + 1}`, ['test', ...select, '--shard', `${k + 1}/${N}`, '--no-report', '--report-dir', join(tmp.path, `together-${k + 1}`)])));
  const wall = performance.now() - t0;
  console.log(`(3) ${N} shards at once, here:    ${s(wall)}  = ${(one.durationMs / wall).toFixed(2)}x faster than (1), on this machine's ${(await import('node:os')).availableParallelism()} cores`);
}

// merge (2)
const merged = join(tmp.path, 'merged');
const m = await knetsim('merge', ['merge', ...Array.from({ length: N }, (_, k) => join(tmp.path, `durations-shard-${k + 1}`)), '--out', merged]);
const together = outcomes(merged);
const differ = [...new Set([...whole.keys(), ...together.keys()])].filter((k) => whole.get(k) !== together.get(k));
console.log(`merge of (2) by durations:      ${s(m.durationMs)}  (${count(together)}; ${differ.length === 0 ? 'every test as in (1)' : `${differ.length} test(s) differ from (1): ${differ.slice(0, 5).join('; ')}`})`);
console.log(`at end: ${loadAverage()}`);
if (differ.length) process.exitCode = 1;
