import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../../sys/errors.ts';
import type { Exercise } from '../exercise.ts';
import type { StudentResult } from '../results.ts';
import { RosterEntrySchema, type RosterEntry } from './roster.ts';

/** One grading run (or the runs merged into an output): when, by which grader, how long. */
export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  runTimeMs: number;
  grader: { version: string; commit: string | undefined };
  timeoutS: number;
  parallel: number;
  /** `i/n` when this run graded one shard of the class. */
  shard?: string;
  /** Students this run graded (a re-grade names one). */
  students: string[];
}

/** The rubric the results were graded against: re-grades and merges must match it. */
export interface RubricInfo {
  id: string;
  title: string;
  chapter: number;
  total: number;
  checks: { id: string; title: string; points: number }[];
}

/** grades.json: everything the pages and CSVs are made from. */
export interface GradesFile {
  format: 'knetsim-grades/1';
  exercises: RubricInfo[];
  roster: RosterEntry[];
  /** Oldest first: the run that made the output, then re-grades (and, after a merge, every shard's). */
  runs: RunInfo[];
  students: StudentResult[];
}

export function rubricOf(exercises: readonly Exercise[]): RubricInfo[] {
  return exercises.map((e) => ({ id: e.id, title: e.title, chapter: e.chapter, total: e.totalPoints, checks: e.checks.map((c) => ({ id: c.id, title: c.title, points: c.points })) }));
}

const FileSchema = z.object({
  format: z.literal('knetsim-grades/1'),
  exercises: z.array(z.object({ id: z.string(), title: z.string(), chapter: z.number(), total: z.number(), checks: z.array(z.object({ id: z.string(), title: z.string(), points: z.number() })) })),
  roster: z.array(RosterEntrySchema),
  runs: z.array(z.record(z.unknown())),
  students: z.array(z.object({ student: z.string(), slug: z.string(), exercises: z.array(z.unknown()) }).passthrough()),
});

export function readGradesFile(dir: string): GradesFile {
  const file = join(dir, 'grades.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new HarnessError(`${file}: cannot read the grades of this output: ${(e as Error).message}`);
  }
  const r = FileSchema.safeParse(raw);
  if (!r.success) throw new HarnessError(`${file}: not a knetsim-grades/1 file (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
  return raw as GradesFile;
}

export function writeGradesFile(dir: string, g: GradesFile): void {
  writeFileSync(join(dir, 'grades.json'), JSON.stringify(g, null, 2) + '\n');
}

/** Why two rubrics differ (undefined when they are the same). */
export function rubricDifference(a: readonly RubricInfo[], b: readonly RubricInfo[]): string | undefined {
  const text = (r: readonly RubricInfo[]) => r.map((e) => `${e.id}[${e.checks.map((c) => `${c.id}:${c.points}`).join(',')}]`).join(' ');
  if (text(a) === text(b)) return undefined;
  const ids = (r: readonly RubricInfo[]) => r.map((e) => e.id).join(', ');
  return ids(a) === ids(b) ? 'the same exercises with other checks or points' : `exercises ${ids(a)} vs ${ids(b)}`;
}
