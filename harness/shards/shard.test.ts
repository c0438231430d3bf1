import { describe, expect, it } from 'vitest';
import { parseShard, shardItems, shardText } from './shard.ts';

describe('parseShard', () => {
  it('reads INDEX/COUNT', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(shardText(parseShard('1/1'))).toBe('1/1');
  });
  it.each([
    ['0/4', /--shard\.index: Number must be greater than or equal to 1/],
    ['5/4', /--shard\.index: index must be between 1 and count/],
    ['1/0', /--shard\.count: Number must be greater than or equal to 1/],
    ['1/300', /--shard\.count: Number must be less than or equal to 256/],
    ['two/4', /--shard: must be INDEX\/COUNT, e\.g\. 2\/4/],
    ['1/4/2', /must be INDEX\/COUNT/],
  ])('rejects %s, naming the field', (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('shardItems', () => {
  it('deals items round-robin: every item in exactly one shard, sizes within one', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const shards = [1, 2, 3].map((index) => shardItems(items, { index, count: 3 }));
    expect(shards).toEqual([['a', 'd', 'g'], ['b', 'e'], ['c', 'f']]);
    expect(shards.flat().sort()).toEqual(items);
  });
  it('gives an empty shard when there are more shards than items', () => {
    expect(shardItems(['a'], { index: 2, count: 2 })).toEqual([]);
  });
});
