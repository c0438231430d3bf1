/**
 * Writes conf/test-durations.json, the seconds per test file that `--shard` splits by
 * (harness/shards/durations.ts), from the JUnit XML of a whole run (one <testsuite> per file,
 * with its time) or from vitest's own results cache (each file's latest run); a file run by
 * two projects counts its longer run.
 *
 *   npm test && npx tsx tools/test-durations/update.ts reports/latest/junit.xml
 *   npx tsx tools/test-durations/update.ts node_modules/.vite/vitest/<hash>/results.json
 *
 * Durations only weigh the split: a stale file makes shards less even, never wrong.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DURATIONS_FILE } from '../../harness/shards/duration-sequencer.ts';
import type { DurationsFile } from '../../harness/shards/durations.ts';

const junit = process.argv[2];
if (!junit) {
  process.stderr.write('usage: npx tsx tools/test-durations/update.ts JUNIT.xml | VITEST-RESULTS.json\n');
  process.exit(2);
}
const text = readFileSync(junit, 'utf8');
const seconds: Record<string, number> = {};
const record = (path: string, s: number) => (seconds[path] = Math.max(seconds[path] ?? 0, Math.round(s * 10) / 10));
if (junit.endsWith('.json')) {
  // vitest's cache: { results: [["project:path", { duration (ms), failed }], ...] }
  const cache = JSON.parse(text) as { results: [string, { duration?: number }][] };
  // It keeps files since deleted or renamed, and fixtures run by other configs: only test files of this checkout count.
  for (const [key, r] of cache.results) {
    const path = key.slice(key.indexOf(':') + 1);
    if (typeof r.duration === 'number' && existsSync(path)) record(path, r.duration / 1000);
  }
} else {
  for (const m of text.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    const name = attr('name');
    const time = Number(attr('time'));
    if (name && Number.isFinite(time)) record(name, time);
  }
}
if (Object.keys(seconds).length === 0) throw new Error(`${junit}: no test file with a duration`);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const out: DurationsFile = {
  format: 'knetsim-test-durations/1',
  source: `tools/test-durations/update.ts from ${junit} at ${commit}`,
  seconds: Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(DURATIONS_FILE, JSON.stringify(out, null, 2) + '\n');
console.log(`${DURATIONS_FILE}: ${Object.keys(seconds).length} files, ${Object.values(seconds).reduce((a, b) => a + b, 0).toFixed(0)} s in all`);
