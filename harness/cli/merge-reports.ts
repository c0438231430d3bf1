import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HarnessError } from '../sys/errors.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import type { ShardOutput, TestOutputMarker } from '../shards/output-marker.ts';
import { shardText } from '../shards/shard.ts';
import { markFlaky } from './commands/flaky.ts';
import { generateReport } from './commands/report.ts';
import { junitTotals, runVitest } from './commands/test.ts';

/** vitest --merge-reports of even a large class's blobs takes seconds. */
const MERGE_DEADLINE_MS = 10 * 60_000;

export type TestShard = ShardOutput<TestOutputMarker>;

export interface MergedTests {
  /** vitest's exit code over the merged results: 0 when every test passed. */
  exitCode: number;
  totals: { passed: number; failed: number; skipped: number };
  /** Tests that passed only on a retry, marked flaky in the Allure results. */
  flaky: number;
  /** The HTML report's index, when one was written. */
  html?: string;
}

/**
 * One report from the shards of a `knetsim test --shard i/n` run, by vitest's own merge:
 * their blob reports are replayed (`vitest --merge-reports`) through the reporters of
 * vitest.config.ts, which write OUT/allure-results, OUT/junit.xml and OUT/flaky.json as a
 * single run would. Failed tries' evidence is gathered from every shard, flaky tests are
 * marked, and Allure makes OUT/html.
 */
export async function mergeTestReports(shards: readonly TestShard[], outDir: string, o: { report: boolean }): Promise<MergedTests> {
  const first = shards[0]!;
  for (const s of shards) {
    if (JSON.stringify(s.marker.selection) !== JSON.stringify(first.marker.selection)) {
      throw new HarnessError(
        `shard ${shardText(s.marker.shard)} (${s.dir}) ran ${JSON.stringify(s.marker.selection)}, shard ${shardText(first.marker.shard)} (${first.dir}) ran ${JSON.stringify(first.marker.selection)}: not one run`,
      );
    }
    if (!existsSync(join(s.dir, s.marker.blob))) throw new HarnessError(`shard ${shardText(s.marker.shard)} has no blob report ${join(s.dir, s.marker.blob)}`);
  }
  for (const old of ['allure-results', 'junit.xml', 'flaky.json', 'failed-tries', 'html']) rmSync(join(outDir, old), { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  // vitest reads every file of one folder as a blob.
  let exitCode: number;
  {
    using blobs = makeTempDir('blobs');
    for (const s of shards) copyFileSync(join(s.dir, s.marker.blob), join(blobs.path, basename(s.marker.blob)));
    const env: NodeJS.ProcessEnv = { ...process.env, KNETSIM_REPORT_DIR: outDir };
    delete env.KNETSIM_BLOB_FILE; // vitest refuses to merge with the blob reporter on
    exitCode = await runVitest(['run', '--merge-reports', blobs.path], env, { deadlineMs: MERGE_DEADLINE_MS, flag: "the merge's limit" });
  }
  const totals = junitTotals(join(outDir, 'junit.xml'));
  if (!totals) throw new HarnessError(`vitest --merge-reports wrote no ${join(outDir, 'junit.xml')} (exit code ${exitCode})`);
  if (totals.passed + totals.failed + totals.skipped === 0) {
    throw new HarnessError(`no test ran in any of the ${shards.length} shard(s): check the paths they were given (${JSON.stringify(first.marker.selection)})`);
  }
  for (const s of shards) {
    const tries = join(s.dir, 'failed-tries');
    if (existsSync(tries)) cpSync(tries, join(outDir, 'failed-tries'), { recursive: true });
  }
  const flaky = markFlaky(outDir);
  const html = o.report ? await generateReport(outDir) : undefined;
  return { exitCode, totals, flaky, ...(html ? { html } : {}) };
}
