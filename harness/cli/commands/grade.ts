import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import { gradeAll } from '../../grading/grade.ts';
import { loadExercises } from '../../grading/exercise.ts';
import { writeGradeReport } from '../../grading/write-report.ts';
import { parse } from './args.ts';

const USAGE = `knetsim grade --submissions DIR [--exercises DIR] [--out DIR] [--parallel N] [--timeout S]

Grades every student's submission (one sub-folder of --submissions per student) against
the exercises (default: exercises/). Submitted files are data, validated by schema; a
scenario file a student wrote runs in a vitest child process of its own, against a correct
simulation and deliberately broken ones, with a time limit.
  --out DIR       index.html (class summary), students/<name>.html, grades.csv  (default reports/grades)
  --parallel N    students graded at once (default 2)
  --timeout S     time limit of each child process, in seconds (default 180)
Exit code: 0 when grading ran (whatever the grades), 1 when it could not.`;

const wholeNumber = (name: string, v: string, min: number) => {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new HarnessError(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
  return Number(v);
};

export async function grade(args: string[]): Promise<number> {
  const a = parse(
    args,
    USAGE,
    {
      exercises: { type: 'string' },
      submissions: { type: 'string' },
      out: { type: 'string' },
      parallel: { type: 'string' },
      timeout: { type: 'string' },
    },
    false,
  );
  if (!a) return 0;
  if (!a.values.submissions) {
    console.error(`knetsim grade: --submissions is required\n\n${USAGE}`);
    return 2;
  }
  const submissionsDir = resolve(a.values.submissions);
  if (!existsSync(submissionsDir)) throw new HarnessError(`no submissions folder ${submissionsDir}`);
  const exercises = loadExercises(resolve(a.values.exercises ?? 'exercises'));
  if (exercises.length === 0) throw new HarnessError(`no exercises (sub-folders with exercise.json) in ${a.values.exercises ?? 'exercises'}`);
  const outDir = resolve(a.values.out ?? 'reports/grades');
  rmSync(outDir, { recursive: true, force: true });
  const results = await gradeAll({
    exercises,
    submissionsDir,
    outDir,
    parallel: wholeNumber('parallel', a.values.parallel ?? '2', 1),
    timeoutMs: wholeNumber('timeout', a.values.timeout ?? '180', 5) * 1000,
    onProgress: (line) => console.log(line),
  });
  const index = writeGradeReport(outDir, results, exercises);
  console.log(`\ngrades: ${index}\ncsv:    ${resolve(outDir, 'grades.csv')}`);
  return 0;
}
