import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from '../sys/errors.ts';
import { childReadOnly, type CheckRunner } from './check-run.ts';
import { loadExercises } from './exercise.ts';
import { gradeAll, listStudents, slugOf } from './grade.ts';
import { REPO_ROOT } from './isolated-run.ts';
import { readGradesFile, rubricDifference, rubricOf, type GradesFile, type RunInfo } from './output/grades-file.ts';
import { graderVersion } from './output/meta.ts';
import { checkOutDir, isGradingOutput, resetOutDir } from './output/out-dir.ts';
import { loadRoster } from './output/roster.ts';
import { writeGradeOutput } from './output/write-report.ts';
import type { StudentResult } from './results.ts';
import { probeSandbox } from './sandbox/run-sandboxed.ts';
import { writeOutputMarker } from '../shards/output-marker.ts';
import { shardItems, shardText, type Shard } from '../shards/shard.ts';

export interface GradingRunOptions {
  submissionsDir: string;
  exercisesDir: string;
  outDir: string;
  parallel: number;
  timeoutMs: number;
  /** A roster CSV (see output/roster.ts); a re-grade keeps the output's own when none is given. */
  rosterFile?: string;
  /** Grade only this shard of the class (students in sorted order, every n-th). */
  shard?: Shard;
  /** Re-grade only this student into an existing output, and refresh its summary and CSVs. */
  student?: string;
  runner?: CheckRunner;
  onProgress?: (line: string) => void;
}

export interface GradingRunResult {
  index: string;
  outDir: string;
  /** The students this run graded. */
  graded: StudentResult[];
  grades: GradesFile;
}

/**
 * `knetsim grade` without its argv: checks every input and the output folder before
 * anything is deleted, grades (everyone, a shard, or one student again), writes the output.
 */
export async function runGrading(o: GradingRunOptions): Promise<GradingRunResult> {
  const submissionsDir = resolve(o.submissionsDir);
  const exercisesDir = resolve(o.exercisesDir);
  if (!existsSync(submissionsDir) || !statSync(submissionsDir).isDirectory()) throw new HarnessError(`--submissions ${o.submissionsDir}: no such folder`);
  if (!existsSync(exercisesDir)) throw new HarnessError(`--exercises ${o.exercisesDir}: no such folder`);
  const exercises = loadExercises(exercisesDir);
  if (exercises.length === 0) throw new HarnessError(`--exercises ${o.exercisesDir}: no exercises (sub-folders with exercise.json)`);
  if (o.student !== undefined && o.shard) throw new HarnessError('--student and --shard cannot be used together');
  const roster = o.rosterFile ? loadRoster(resolve(o.rosterFile)) : undefined;
  const out = checkOutDir(o.outDir, [
    { label: 'the submissions (--submissions)', path: submissionsDir, notInside: true },
    { label: 'the exercises (--exercises)', path: exercisesDir, notInside: true },
    { label: 'the knetsim repository', path: REPO_ROOT },
    ...(o.rosterFile ? [{ label: 'the roster (--roster)', path: resolve(o.rosterFile) }] : []),
  ]);
  // Scenario checks run in sandboxes: if this machine cannot make one, say so now, not once per check.
  if (!o.runner && exercises.some((e) => e.checks.some((c) => c.kind === 'scenario'))) {
    const why = await probeSandbox(childReadOnly());
    if (why) throw new HarnessError(`cannot grade scenarios here: ${why} (the sandbox needs root, util-linux's unshare, setpriv, nsenter and pivot_root, and user namespaces the root can give to an unprivileged uid; see docs/grading.md)`);
  }
  const all = listStudents(submissionsDir);
  const rubric = rubricOf(exercises);
  let previous: GradesFile | undefined;
  let students: string[];
  if (o.student !== undefined) {
    if (!all.includes(o.student)) throw new HarnessError(`--student ${o.student}: no such folder in ${submissionsDir} (students: ${all.slice(0, 20).join(', ')}${all.length > 20 ? ', …' : ''})`);
    if (!isGradingOutput(out)) throw new HarnessError(`--student needs an existing grading output in --out; ${o.outDir} is not one (grade the class first)`);
    previous = readGradesFile(out);
    const diff = rubricDifference(previous.exercises, rubric);
    if (diff) throw new HarnessError(`--student: ${o.outDir} was graded against other exercises (${diff}); grade the whole class again`);
    students = [o.student];
    const slug = slugOf(o.student);
    rmSync(join(out, 'work', slug), { recursive: true, force: true });
    rmSync(join(out, 'students', `${slug}.html`), { force: true });
  } else {
    students = o.shard ? shardItems([...all].sort(byName), o.shard) : all;
    resetOutDir(out);
  }
  const started = Date.now();
  const graded = await gradeAll({ exercises, submissionsDir, students, outDir: out, parallel: o.parallel, timeoutMs: o.timeoutMs, runner: o.runner, onProgress: o.onProgress });
  const run: RunInfo = {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    runTimeMs: Date.now() - started,
    grader: graderVersion(),
    timeoutS: Math.round(o.timeoutMs / 1000),
    parallel: o.parallel,
    ...(o.shard ? { shard: shardText(o.shard) } : {}),
    students,
  };
  const kept = previous ? previous.students.filter((r) => !students.includes(r.student)) : [];
  const grades: GradesFile = {
    format: 'knetsim-grades/1',
    exercises: rubric,
    roster: roster ?? previous?.roster ?? [],
    runs: [...(previous?.runs ?? []), run],
    students: [...kept, ...graded],
  };
  const index = writeGradeOutput(out, grades);
  // A shard's output says which shard it is, so `knetsim merge` notices one missing or given twice.
  if (o.shard) writeOutputMarker(out, { kind: 'grades', shard: o.shard });
  return { index, outDir: out, graded, grades };
}

/** Students in code-point order of their folder names: every machine splits a class the same way. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
