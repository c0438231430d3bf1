/**
 * vitest's sequencer with a shard split by recorded durations (harness/shards/durations.ts)
 * instead of vitest's equal file counts; the order within a shard stays vitest's own. Used by
 * vitest.config.ts. Without a usable durations file it says why and splits as vitest does;
 * KNETSIM_SHARD_SPLIT=count asks for vitest's split (bench/shards compares the two).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { partitionByDuration, readDurations } from './durations.ts';

export const DURATIONS_FILE = fileURLToPath(new URL('../../conf/test-durations.json', import.meta.url));

export class DurationSequencer extends BaseSequencer {
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    if (process.env.KNETSIM_SHARD_SPLIT === 'count') return super.shard(files);
    const { file, problem } = readDurations(DURATIONS_FILE);
    if (!file) {
      console.warn(`knetsim: shards split by file count (vitest's own): ${problem}`);
      return super.shard(files);
    }
    const { index, count } = this.ctx.config.shard!;
    const root = this.ctx.config.root;
    const items = files.map((f) => {
      const path = relative(root, f.moduleId);
      return { key: `${f.project.name}:${path}`, seconds: file.seconds[path] };
    });
    const shardOf = partitionByDuration(items, count);
    return files.filter((_, i) => shardOf[i] === index - 1);
  }
}
