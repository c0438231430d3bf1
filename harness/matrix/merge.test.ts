import { describe, expect, it } from 'vitest';
import { combineMatrixResults, matrixPassed, type MatrixShard } from './merge.ts';
import type { VariantResult } from './run-matrix.ts';

const plan = ['a', 'b', 'c', 'd', 'e'];
const result = (name: string, status: 'passed' | 'failed' = 'passed'): VariantResult =>
  ({ variant: { name }, cells: [{ scenario: 's.ts', status, passed: status === 'passed' ? 1 : 0, total: 1, failed: [] }], logs: [] }) as unknown as VariantResult;
const shard = (index: number, names: string[], o: Partial<MatrixShard['marker']> = {}) => ({
  dir: `out-${index}`,
  marker: { kind: 'matrix' as const, shard: { index, count: 2 }, variantsFile: 'v.json', variants: plan, scenarios: ['s.ts'], ...o },
  results: names.map((n) => result(n)),
});

describe('combineMatrixResults', () => {
  it("puts every shard's variants back in the plan's order", () => {
    const merged = combineMatrixResults([shard(2, ['b', 'd']), shard(1, ['a', 'c', 'e'])]);
    expect(merged.map((r) => r.variant.name)).toEqual(plan);
  });
  it('leaves out the variants of a shard that is not given', () => {
    expect(combineMatrixResults([shard(2, ['b', 'd'])]).map((r) => r.variant.name)).toEqual(['b', 'd']);
  });
  it('refuses shards of different plans, and a shard whose results are not its variants', () => {
    expect(() => combineMatrixResults([shard(1, ['a', 'c', 'e']), shard(2, ['b', 'd'], { scenarios: ['t.ts'] })])).toThrow(
      'shard 2/2 (out-2) ran another plan than shard 1/2 (out-1): variants or scenarios differ',
    );
    expect(() => combineMatrixResults([shard(1, ['a', 'c'])])).toThrow('shard 1/2 (out-1) holds results for [a, c], but its variants are [a, c, e]');
  });
});

describe('matrixPassed', () => {
  it('is false when a scenario failed on a variant that ran', () => {
    expect(matrixPassed([result('a'), result('b')])).toBe(true);
    expect(matrixPassed([result('a'), result('b', 'failed')])).toBe(false);
  });
});
