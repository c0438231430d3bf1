import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../grading/isolated-run.ts';
import { mulberry32 } from '../sys/prng.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import { DURATIONS_FILE } from './duration-sequencer.ts';
import { FILE_OVERHEAD_S, partitionByDuration, readDurations, type ShardItem } from './durations.ts';

const loads = (items: readonly ShardItem[], shardOf: number[], n: number) => {
  const load = new Array<number>(n).fill(0);
  items.forEach((it, i) => (load[shardOf[i]!]! += (it.seconds ?? 0) + FILE_OVERHEAD_S));
  return load;
};

describe('partitionByDuration', () => {
  it('gives every item one shard, the same whatever the order the items come in', () => {
    const rand = mulberry32(7);
    const items = Array.from({ length: 40 }, (_, i) => ({ key: `p:f${i}`, seconds: Math.round(rand() * 1000) / 10 }));
    const shardOf = partitionByDuration(items, 4);
    expect(new Set(shardOf)).toEqual(new Set([0, 1, 2, 3]));
    const shuffled = [...items].reverse();
    const again = partitionByDuration(shuffled, 4);
    const byKey = (list: ShardItem[], s: number[]) => Object.fromEntries(list.map((it, i) => [it.key, s[i]]));
    expect(byKey(shuffled, again)).toEqual(byKey(items, shardOf));
  });

  it('balances: the slowest shard is within one item of the mean (the greedy bound), far better than equal counts', () => {
    // One long file, a few medium, many short: what the scenarios look like.
    const items: ShardItem[] = [
      { key: 'a', seconds: 60 }, { key: 'b', seconds: 40 }, { key: 'c', seconds: 30 }, { key: 'd', seconds: 25 },
      ...Array.from({ length: 30 }, (_, i) => ({ key: `u${i}`, seconds: 1 })),
    ];
    const load = loads(items, partitionByDuration(items, 4), 4);
    const mean = load.reduce((a, b) => a + b, 0) / 4;
    expect(Math.max(...load)).toBeLessThanOrEqual(mean + 60 + FILE_OVERHEAD_S);
    expect(Math.max(...load)).toBe(60 + FILE_OVERHEAD_S); // here the longest file alone is the slowest shard
  });

  it('counts a file with no recorded duration as the median of the recorded ones', () => {
    const items: ShardItem[] = [{ key: 'a', seconds: 10 }, { key: 'b', seconds: 10 }, { key: 'new', seconds: undefined }, { key: 'c', seconds: 1 }];
    // The median (10) makes "new" a long file: it gets a shard of its own among three.
    const shardOf = partitionByDuration(items, 3);
    expect(shardOf.filter((s) => s === shardOf[2])).toHaveLength(1);
    expect(partitionByDuration([{ key: 'x', seconds: undefined }], 2)).toEqual([0]);
  });

  it('refuses a shard count that is not a whole number ≥ 1', () => {
    expect(() => partitionByDuration([], 0)).toThrow(/shard count must be a whole number ≥ 1, got 0/);
  });
});

describe('the durations file', () => {
  it("the shipped one is valid and names only test files that exist (after renaming one: npm test, then tools/test-durations/update.ts)", () => {
    const { file, problem } = readDurations(DURATIONS_FILE);
    expect(problem).toBeUndefined();
    const missing = Object.keys(file!.seconds).filter((f) => !existsSync(join(REPO_ROOT, f)));
    expect(missing).toEqual([]);
  });

  it('says why one cannot be used', () => {
    using tmp = makeTempDir('durations');
    expect(readDurations(join(tmp.path, 'none.json')).problem).toMatch(/none\.json is missing$/);
    writeFileSync(join(tmp.path, 'bad.json'), JSON.stringify({ format: 'knetsim-test-durations/1', source: 'x', seconds: { 'a.test.ts': -1 } }));
    expect(readDurations(join(tmp.path, 'bad.json')).problem).toMatch(/bad\.json: seconds\.a\.test\.ts: Number must be greater than or equal to 0/);
  });
});
