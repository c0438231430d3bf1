import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../sys/errors.ts';
import type { MatrixOutputMarker, ShardOutput } from '../shards/output-marker.ts';
import { shardItems, shardText } from '../shards/shard.ts';
import { matrixPage } from './html.ts';
import type { VariantResult } from './run-matrix.ts';

export type MatrixShard = ShardOutput<MatrixOutputMarker>;

/** The results a matrix output folder holds (its matrix.json). */
export function readMatrixResults(dir: string): VariantResult[] {
  const file = join(dir, 'matrix.json');
  if (!existsSync(file)) throw new HarnessError(`${dir} has no matrix.json: the matrix run did not finish`);
  return JSON.parse(readFileSync(file, 'utf8')) as VariantResult[];
}

/**
 * The shards' results as one matrix, in the plan's order. Each shard must hold exactly the
 * variants `knetsim matrix --shard` deals it (shardItems); throws when the shards ran
 * different plans or scenarios, or a shard's results are not its variants. The variants of
 * a shard that is not given are left out (`knetsim merge --partial`).
 */
export function combineMatrixResults(shards: readonly { marker: MatrixShard['marker']; dir: string; results: readonly VariantResult[] }[]): VariantResult[] {
  const first = shards[0]!;
  for (const s of shards) {
    const same = JSON.stringify([s.marker.variants, s.marker.scenarios]) === JSON.stringify([first.marker.variants, first.marker.scenarios]);
    if (!same) {
      throw new HarnessError(`shard ${shardText(s.marker.shard)} (${s.dir}) ran another plan than shard ${shardText(first.marker.shard)} (${first.dir}): variants or scenarios differ`);
    }
  }
  const found = new Map<string, VariantResult>();
  for (const s of shards) {
    const dealt = shardItems(first.marker.variants, s.marker.shard);
    const got = s.results.map((r) => r.variant.name);
    if (JSON.stringify(got) !== JSON.stringify(dealt)) {
      throw new HarnessError(`shard ${shardText(s.marker.shard)} (${s.dir}) holds results for [${got.join(', ')}], but its variants are [${dealt.join(', ')}]`);
    }
    for (const r of s.results) found.set(r.variant.name, r);
  }
  return first.marker.variants.flatMap((name) => found.get(name) ?? []);
}

/**
 * Merges the output folders of `knetsim matrix --shard i/n` into OUT: matrix.json and
 * index.html over every variant (dataplane diffs against the plan's first variant, as an
 * unsharded run), and each variant's work folder (topology, logs, scenario reports).
 * Returns the merged results.
 */
export function mergeMatrixOutputs(shards: readonly MatrixShard[], outDir: string): VariantResult[] {
  const loaded = shards.map((s) => ({ ...s, results: readMatrixResults(s.dir) }));
  const results = combineMatrixResults(loaded);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const s of loaded) {
    for (const r of s.results) {
      const work = join(s.dir, 'work', r.variant.name);
      if (existsSync(work)) cpSync(work, join(outDir, 'work', r.variant.name), { recursive: true });
    }
  }
  writeFileSync(join(outDir, 'matrix.json'), JSON.stringify(results, null, 1));
  writeFileSync(join(outDir, 'index.html'), matrixPage(results, loaded[0]!.marker.variantsFile));
  return results;
}

/** Every variant that ran passed every scenario (skipped variants and cells do not count). */
export function matrixPassed(results: readonly VariantResult[]): boolean {
  return results.every((r) => r.cells.every((c) => c.status === 'passed' || c.status === 'skipped'));
}
