/**
 * Writes conf/test-durations.json, the seconds per test file that `--shard` splits by
 * (harness/shards/durations.ts), from the JUnit XML of a whole run (one <testsuite> per file,
 * with its time; a file run by two projects counts its longer run).
 *
 *   npm test && npx tsx tools/test-durations/update.ts reports/latest/junit.xml
 *
 * Durations only weigh the split: a stale file makes shards less even, never wrong.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { DURATIONS_FILE } from '../../harness/shards/duration-sequencer.ts';
import type { DurationsFile } from '../../harness/shards/durations.ts';

const junit = process.argv[2];
if (!junit) {
  process.stderr.write('usage: npx tsx tools/test-durations/update.ts JUNIT.xml\n');
  process.exit(2);
}
const xml = readFileSync(junit, 'utf8');
const seconds: Record<string, number> = {};
for (const m of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
  const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
  const name = attr('name');
  const time = Number(attr('time'));
  if (!name || !Number.isFinite(time)) continue;
  seconds[name] = Math.max(seconds[name] ?? 0, Math.round(time * 10) / 10);
}
if (Object.keys(seconds).length === 0) throw new Error(`${junit}: no <testsuite> with a name and a time`);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const out: DurationsFile = {
  format: 'knetsim-test-durations/1',
  source: `tools/test-durations/update.ts from ${junit} at ${commit}`,
  seconds: Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(DURATIONS_FILE, JSON.stringify(out, null, 2) + '\n');
console.log(`${DURATIONS_FILE}: ${Object.keys(seconds).length} files, ${Object.values(seconds).reduce((a, b) => a + b, 0).toFixed(0)} s in all`);
