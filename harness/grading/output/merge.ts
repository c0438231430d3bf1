import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import type { StudentResult } from '../results.ts';
import { readGradesFile, rubricDifference, type GradesFile } from './grades-file.ts';
import { checkOutDir, isGradingOutput, resetOutDir } from './out-dir.ts';
import { writeGradeOutput } from './write-report.ts';

/**
 * Merges complete grading outputs (each a shard's, or any runs over disjoint students) into
 * `outDir`: the pages, summary and CSVs a single run over all of them would write. They
 * must share the rubric; a student in two of them is an error; rosters are united (the
 * same student listed differently is an error). `outDir` is checked like --out. Returns the
 * summary's path.
 */
export function mergeGradeOutputs(inputDirs: readonly string[], outDir: string): string {
  if (inputDirs.length === 0) throw new HarnessError('merge: no grading outputs to merge');
  const inputs = inputDirs.map((d) => resolve(d));
  for (const d of inputs) if (!isGradingOutput(d)) throw new HarnessError(`merge: ${d} is not a grading output (no .knetsim-grading and grades.json)`);
  const out = checkOutDir(outDir, inputs.map((d) => ({ label: `the grading output ${d} (an input)`, path: d, notInside: true })), 'merge output');
  const files = inputs.map((d) => ({ dir: d, g: readGradesFile(d) }));
  const [first, ...rest] = files;
  for (const f of rest) {
    const diff = rubricDifference(first!.g.exercises, f.g.exercises);
    if (diff) throw new HarnessError(`merge: ${f.dir} was graded against other exercises than ${first!.dir} (${diff})`);
  }
  const students = new Map<string, { r: StudentResult; from: string }>();
  const roster = new Map<string, GradesFile['roster'][number]>();
  for (const f of files) {
    for (const r of f.g.students) {
      const seen = students.get(r.student);
      if (seen) throw new HarnessError(`merge: student "${r.student}" is in both ${seen.from} and ${f.dir}`);
      students.set(r.student, { r, from: f.dir });
    }
    for (const e of f.g.roster) {
      const had = roster.get(e.student);
      if (had && JSON.stringify(had) !== JSON.stringify(e)) throw new HarnessError(`merge: the rosters of the outputs disagree about "${e.student}"`);
      roster.set(e.student, e);
    }
  }
  resetOutDir(out);
  for (const { r, from } of students.values()) {
    const work = join(from, 'work', r.slug);
    if (existsSync(work)) cpSync(work, join(out, 'work', r.slug), { recursive: true });
  }
  return writeGradeOutput(out, {
    format: 'knetsim-grades/1',
    exercises: first!.g.exercises,
    roster: [...roster.values()].sort((a, b) => a.student.localeCompare(b.student)),
    runs: files.flatMap((f) => f.g.runs).sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    students: [...students.values()].map((s) => s.r),
  });
}
