import { z } from 'zod';
import { fromZod } from '../sys/validation.ts';

/** One part of a job split n ways: `index` of `count`, both counted from 1 (vitest's `--shard i/n`). */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards a job is split into (a GitHub Actions matrix holds 256 jobs). */
export const MAX_SHARDS = 256;

export const ShardSchema = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1).max(MAX_SHARDS) })
  .strict()
  .refine((s) => s.index <= s.count, { message: 'index must be between 1 and count', path: ['index'] });

const ShardTextSchema = z
  .string()
  .regex(/^\d+\/\d+$/, 'must be INDEX/COUNT, e.g. 2/4')
  .transform((t) => {
    const [index, count] = t.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .pipe(ShardSchema);

/** `--shard 2/4` → { index: 2, count: 4 }; a ValidationError naming `field` otherwise. */
export function parseShard(text: string, field = '--shard'): Shard {
  const r = ShardTextSchema.safeParse(text);
  if (!r.success) throw fromZod(`${field} "${text}"`, r.error, [field]);
  return r.data;
}

export const shardText = (s: Shard): string => `${s.index}/${s.count}`;

/**
 * The items of one shard, dealt round-robin in the given order (item k goes to shard
 * k mod count + 1), so shards differ in size by at most one and their union, in order, is
 * the whole list.
 */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, k) => k % shard.count === shard.index - 1);
}
