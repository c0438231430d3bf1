import { resolve } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import { runGrading } from '../../grading/run-grading.ts';
import { parseShard } from '../../shards/shard.ts';
import { parse } from './args.ts';

const USAGE = `knetsim grade --submissions DIR [--exercises DIR] [--out DIR] [--parallel N] [--timeout S]
              [--roster FILE] [--shard I/N | --student NAME]

Grades every student's submission (one sub-folder of --submissions per student) against
the exercises (default: exercises/). Submitted files are data, validated by schema and
graded field by field; a scenario a student wrote runs in a sandbox (its own user, mount,
network and pid namespaces, an unprivileged uid, a private /tmp, no view of other students
or of the output) against a correct simulation and deliberately broken ones, with a time
limit. The sandbox cannot tell the variants apart: faults are injected from outside.
  --out DIR        the output (default reports/grades): index.html (class summary),
                   students/<name>.html, grades.csv, checks.csv, moodle.csv, canvas.csv,
                   grades.json, work/ (logs). Refused, before anything is deleted, if it is
                   or holds the submissions, the exercises or the repository, or holds
                   files a grading run did not make.
  --parallel N     students graded at once (default 2)
  --timeout S      time limit of each sandboxed run, in seconds (default 180)
  --roster FILE    CSV: student (folder name), name, email, username, id, sis_id, section;
                   fills the LMS files (without it they name students by folder)
  --shard I/N      grade only shard I of N (students in name order, every N-th from the I-th);
                   'knetsim merge' makes one output of the N folders
  --student NAME   re-grade one student into an existing --out; refresh summary and CSVs
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
      roster: { type: 'string' },
      shard: { type: 'string' },
      student: { type: 'string' },
    },
    false,
  );
  if (!a) return 0;
  if (!a.values.submissions) {
    console.error(`knetsim grade: --submissions is required\n\n${USAGE}`);
    return 2;
  }
  const r = await runGrading({
    submissionsDir: a.values.submissions,
    exercisesDir: a.values.exercises ?? 'exercises',
    outDir: a.values.out ?? 'reports/grades',
    parallel: wholeNumber('parallel', a.values.parallel ?? '2', 1),
    timeoutMs: wholeNumber('timeout', a.values.timeout ?? '180', 5) * 1000,
    rosterFile: a.values.roster,
    shard: a.values.shard === undefined ? undefined : parseShard(a.values.shard),
    student: a.values.student,
    onProgress: (line) => console.log(line),
  });
  console.log(`\ngrades: ${r.index}\ncsv:    ${resolve(r.outDir, 'grades.csv')} (per check: checks.csv; LMS: moodle.csv, canvas.csv)`);
  return 0;
}
