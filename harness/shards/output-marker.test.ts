import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../sys/temp-dir.ts';
import { checkShards, OUTPUT_MARKER, readOutputMarker, writeOutputMarker, type OutputMarker, type ShardOutput } from './output-marker.ts';

const test = (index: number, count: number, dir = `s${index}`): ShardOutput => ({
  dir,
  marker: { kind: 'test', shard: { index, count }, blob: 'blob/b.json', selection: [], exitCode: 0 },
});

describe('checkShards', () => {
  it('accepts every shard of one run, in any order', () => {
    expect(checkShards([test(2, 3), test(1, 3), test(3, 3)])).toEqual({ kind: 'test', count: 3, missing: [] });
  });
  it('names the shards no folder holds', () => {
    expect(checkShards([test(1, 4), test(4, 4)]).missing).toEqual(['2/4', '3/4']);
  });
  it('refuses a shard given twice, kinds mixed, and runs split differently', () => {
    expect(() => checkShards([test(1, 2, 'a'), test(1, 2, 'b')])).toThrow('shard 1/2 is given twice: a and b');
    const matrix: ShardOutput = { dir: 'm', marker: { kind: 'matrix', shard: { index: 2, count: 2 }, variantsFile: 'v.json', variants: ['a'], scenarios: ['s.ts'] } };
    expect(() => checkShards([test(1, 2), matrix])).toThrow(/different kinds of output \(s1 \(test\), m \(matrix\)\)/);
    expect(() => checkShards([test(1, 2), test(2, 3)])).toThrow(/split differently \(s1 \(1\/2\), s2 \(2\/3\)\)/);
    expect(() => checkShards([])).toThrow(/nothing to merge/);
  });
  it('leaves grading outputs without a shard to the grading merge', () => {
    const g = (dir: string): ShardOutput => ({ dir, marker: { kind: 'grades' } });
    expect(checkShards([g('a'), g('b')])).toEqual({ kind: 'grades', count: 2, missing: [] });
  });
});

describe('readOutputMarker', () => {
  const tmp = makeTempDir('marker');
  afterAll(() => tmp.remove());
  const dir = () => mkdtempSync(join(tmp.path, 'out-'));
  it('reads what writeOutputMarker wrote', () => {
    const d = dir();
    const m: OutputMarker = { kind: 'matrix', shard: { index: 1, count: 2 }, variantsFile: 'v.json', variants: ['a', 'b'], scenarios: ['x.ts'] };
    writeOutputMarker(d, m);
    expect(readOutputMarker(d)).toEqual({ dir: d, marker: m });
  });
  it('knows a grading output by its grades.csv', () => {
    const d = dir();
    writeFileSync(join(d, 'grades.csv'), 'student,total\n');
    expect(readOutputMarker(d).marker).toEqual({ kind: 'grades' });
  });
  it('says which folder is not an output, and which field of a marker is wrong', () => {
    const d = dir();
    expect(() => readOutputMarker(d)).toThrow(`${d} is not a sharded knetsim output: it has no ${OUTPUT_MARKER}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, OUTPUT_MARKER), JSON.stringify({ kind: 'test', shard: { index: 3, count: 2 }, blob: 'b', selection: [], exitCode: 0 }));
    expect(() => readOutputMarker(d)).toThrow(/shard\.index: index must be between 1 and count/);
  });
});
