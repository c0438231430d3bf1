/**
 * Test files split into shards by how long they take, not by how many there are. vitest's
 * own split (a hash of each path, then equal counts) leaves shards uneven when files differ
 * a hundredfold in length; here the durations of a recorded run (conf/test-durations.json)
 * are packed into the shards longest first, each into the shard with the least so far
 * (LPT: the slowest shard is at most 4/3 of the best possible, plus one file).
 *
 * Every shard computes the same split from the same files and the same durations file, so
 * the shards of one run are disjoint and cover every file, on any machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** A recorded run's seconds per test file (path relative to the repository). */
export const DurationsFileSchema = z.object({
  format: z.literal('knetsim-test-durations/1'),
  /** How the figures were made, for whoever reads the file. */
  source: z.string(),
  seconds: z.record(z.number().nonnegative()),
});
export type DurationsFile = z.infer<typeof DurationsFileSchema>;

/** Reads a durations file; undefined (and why) when it is missing or not one. */
export function readDurations(path: string): { file?: DurationsFile; problem?: string } {
  if (!existsSync(path)) return { problem: `${path} is missing` };
  try {
    const r = DurationsFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return r.success ? { file: r.data } : { problem: `${path}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}` };
  } catch (e) {
    return { problem: `${path}: ${(e as Error).message}` };
  }
}

/** What a file costs besides its tests' own time (start, import, collect), in seconds. */
export const FILE_OVERHEAD_S = 0.5;

export interface ShardItem {
  /** Unique and stable across machines (project and path), the tie-breaker. */
  key: string;
  /** Seconds, when recorded. */
  seconds: number | undefined;
}

/**
 * The shard (0-based) of each item, in the items' order. Items with no recorded duration
 * count as the median of the recorded ones (1 s when none is recorded); each counts
 * FILE_OVERHEAD_S more.
 */
export function partitionByDuration(items: readonly ShardItem[], count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a whole number ≥ 1, got ${count}`);
  const known = items.flatMap((i) => (i.seconds === undefined ? [] : [i.seconds])).sort((a, b) => a - b);
  const fallback = known.length ? known[Math.floor(known.length / 2)]! : 1;
  const order = items
    .map((item, index) => ({ index, key: item.key, seconds: (item.seconds ?? fallback) + FILE_OVERHEAD_S }))
    .sort((a, b) => b.seconds - a.seconds || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const shardOf = new Array<number>(items.length);
  for (const item of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[best]!) best = s;
    shardOf[item.index] = best;
    load[best]! += item.seconds;
  }
  return shardOf;
}
