import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../sys/errors.ts';
import { fromZod, readJsonInput } from '../sys/validation.ts';
import { ShardSchema, shardText } from './shard.ts';

/**
 * Every sharded output folder (`knetsim test|matrix|grade --shard i/n`) holds this file:
 * what made the folder and which shard it is, so `knetsim merge` can tell the folders
 * apart, refuse to mix kinds or runs, and notice a missing shard.
 */
export const OUTPUT_MARKER = 'knetsim-output.json';

const TestOutput = z
  .object({
    kind: z.literal('test'),
    shard: ShardSchema,
    /** vitest's blob report, relative to the folder. */
    blob: z.string().min(1),
    /** What vitest was asked to run (paths, --project): every shard of one run has the same. */
    selection: z.array(z.string()),
    exitCode: z.number().int(),
  })
  .strict();

const MatrixOutput = z
  .object({
    kind: z.literal('matrix'),
    shard: ShardSchema,
    /** The variants file, as given. */
    variantsFile: z.string(),
    /** Every variant of the plan, in its order (not only this shard's). */
    variants: z.array(z.string()).min(1),
    scenarios: z.array(z.string()).min(1),
  })
  .strict();

/**
 * A grading output (`knetsim grade`, harness/grading). Its own merge (`mergeGradeOutputs`) checks
 * its shards; here only the kind is needed, and the shard when the grading run wrote one.
 */
const GradesOutput = z.object({ kind: z.literal('grades'), shard: ShardSchema.optional() }).passthrough();

export const OutputMarkerSchema = z.discriminatedUnion('kind', [TestOutput, MatrixOutput, GradesOutput]);
export type OutputMarker = z.infer<typeof OutputMarkerSchema>;
export type OutputKind = OutputMarker['kind'];
export type TestOutputMarker = z.infer<typeof TestOutput>;
export type MatrixOutputMarker = z.infer<typeof MatrixOutput>;

export function writeOutputMarker(dir: string, marker: OutputMarker): void {
  writeFileSync(join(dir, OUTPUT_MARKER), JSON.stringify(marker, null, 2) + '\n');
}

/** An output folder and what its marker says. */
export interface ShardOutput<M extends OutputMarker = OutputMarker> {
  dir: string;
  marker: M;
}

/** Reads a folder's marker. A grading output without one is known by its `grades.csv`. */
export function readOutputMarker(dir: string): ShardOutput {
  const file = join(dir, OUTPUT_MARKER);
  if (!existsSync(file)) {
    if (existsSync(join(dir, 'grades.csv'))) return { dir, marker: { kind: 'grades' } };
    throw new HarnessError(`${dir} is not a sharded knetsim output: it has no ${OUTPUT_MARKER} (made by knetsim test|matrix|grade --shard i/n)`);
  }
  const r = OutputMarkerSchema.safeParse(readJsonInput(file));
  if (!r.success) throw fromZod(file, r.error);
  return { dir, marker: r.data };
}

/** What keeps a set of outputs from being merged: mixed kinds, runs split differently, a shard twice or missing. */
export interface ShardCheck {
  kind: OutputKind;
  count: number;
  /** Shards none of the folders holds, e.g. "3/4". */
  missing: string[];
}

/**
 * Checks that the outputs are shards of one run: one kind, one count, each index at most
 * once. Missing shards are returned (the caller decides whether that is fatal); anything
 * else throws, naming the folders. Grading outputs that name no shard are left to the
 * grading merge to check.
 */
export function checkShards(outputs: readonly ShardOutput[]): ShardCheck {
  if (outputs.length === 0) throw new HarnessError('nothing to merge: name the output folders of the shards');
  const kinds = [...new Set(outputs.map((o) => o.marker.kind))];
  if (kinds.length > 1) {
    const list = outputs.map((o) => `${o.dir} (${o.marker.kind})`).join(', ');
    throw new HarnessError(`the folders hold different kinds of output (${list}): merge each kind on its own`);
  }
  const kind = kinds[0]!;
  const shards = outputs.map((o) => o.marker.shard);
  if (kind === 'grades' && shards.some((s) => !s)) return { kind, count: outputs.length, missing: [] };
  const label = (o: ShardOutput) => (o.marker.shard ? shardText(o.marker.shard) : 'no shard');
  const counts = [...new Set(shards.map((s) => s?.count))];
  if (counts.length > 1) {
    throw new HarnessError(`the folders are shards of runs split differently (${outputs.map((o) => `${o.dir} (${label(o)})`).join(', ')})`);
  }
  const count = counts[0]!;
  const byIndex = new Map<number, string>();
  for (const o of outputs) {
    const index = o.marker.shard!.index;
    const seen = byIndex.get(index);
    if (seen) throw new HarnessError(`shard ${label(o)} is given twice: ${seen} and ${o.dir}`);
    byIndex.set(index, o.dir);
  }
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(shardText({ index: i, count }));
  return { kind, count, missing };
}

/** The outputs in shard order. */
export function byShard<T extends ShardOutput>(outputs: readonly T[]): T[] {
  return [...outputs].sort((a, b) => (a.marker.shard?.index ?? 0) - (b.marker.shard?.index ?? 0));
}
