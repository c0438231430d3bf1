import { HarnessError } from '../sys/errors.ts';

export interface Shard {
  index: number;
  count: number;
}

/** `i/n` (1 ≤ i ≤ n ≤ 1000), as --shard takes it. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) throw new HarnessError(`${flag} must be i/n with 1 ≤ i ≤ n ≤ 1000 (such as 2/4), got "${text}"`);
  return { index, count };
}

/**
 * The students of one shard: in sorted name order, every n-th one starting at the i-th.
 * Shards 1..n are disjoint and together hold every student; the split depends only on the
 * names, so every machine computes the same one.
 */
export function shardOf(students: readonly string[], s: Shard): string[] {
  return [...students].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).filter((_, i) => i % s.count === s.index - 1);
}
