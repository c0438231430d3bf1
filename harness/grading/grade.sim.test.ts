// Grades the four sample submissions (exercises/samples) for real: every scenario check runs
// in a vitest child with a simulation of its own. Their exact scores are part of the contract.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../sys/temp-dir.ts';
import { loadExercises } from './exercise.ts';
import { gradeAll } from './grade.ts';
import { writeGradeReport } from './write-report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Kept after the run (pages, logs of every child) with the suite's other reports.
const out = join(ROOT, 'reports/grading-samples');
// The children's state folders are made in the temp dir: a dedicated one, to see that they are all removed.
const tmp = makeTempDir('grade-sim');
const suiteTmp = process.env.TMPDIR;
beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  process.env.TMPDIR = tmp.path;
});
afterAll(() => {
  if (suiteTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = suiteTmp;
  tmp.remove();
});

describe('knetsim grade on the sample submissions', () => {
  test('perfect 40, partial 30, broken 4, empty 0 (of 40), per exercise and per check', { timeout: 600_000 }, async () => {
    const exercises = loadExercises(join(ROOT, 'exercises'));
    const results = await gradeAll({ exercises, submissionsDir: join(ROOT, 'exercises/samples'), outDir: out, parallel: 2, timeoutMs: 150_000 });
    writeGradeReport(out, results, exercises);
    const scores = Object.fromEntries(results.map((r) => [r.student, [r.earned, ...r.exercises.map((e) => e.earned)]]));
    expect(scores).toEqual({ broken: [4, 4, 0, 0], empty: [0, 0, 0, 0], partial: [30, 8, 13, 9], perfect: [40, 11, 18, 11] });
    expect(results.every((r) => r.total === 40 && r.error === undefined)).toBe(true);

    const check = (student: string, id: string) => results.find((r) => r.student === student)!.exercises.flatMap((e) => e.checks).find((c) => c.id === id)!;
    // The partial scenario checks connectivity only: it misses the wrong VNI, catches the cut link.
    expect(check('partial', 'scenario-catches-wrong-vni')).toMatchObject({ passed: false, detail: expect.stringMatching(/does not notice the fault/) });
    expect(check('partial', 'scenario-catches-cut-link').passed).toBe(true);
    expect(check('perfect', 'scenario-catches-wrong-vni').passed).toBe(true);
    // Broken files cost their points and say why; nothing after them crashed.
    expect(check('broken', 'answer-vni').detail).toMatch(/answers\.json is not valid JSON/);
    expect(check('broken', 'flannel-valid').detail).toMatch(/SubnetLen: Expected number, received string/);
    expect(check('broken', 'scenario-passes').detail).toMatch(/should pass but (failed|error)/);
    expect(check('broken', 'scenario-catches-cut-link').detail).toMatch(/^not tried/);
    expect(check('empty', 'topology-valid').detail).toBe('topology.json is missing');
    expect(check('broken', 'service-valid').detail).toBe('service.json: port: must be a number; pods: Expected array, received string; name: must be a DNS label');
    expect(check('partial', 'service-works').passed).toBe(true);

    // The outputs, and no child left a state folder behind (each was cleaned with `knetsim clean RUN`).
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toBe(
      'student,ch1-workers-and-containers,ch2-pod-to-pod,ch3-services,total,max,percent\n' +
        'broken,4,0,0,4,40,10\nempty,0,0,0,0,40,0\npartial,8,13,9,30,40,75\nperfect,11,18,11,40,40,100\n',
    );
    expect(readdirSync(join(out, 'students')).sort()).toEqual(['broken.html', 'empty.html', 'partial.html', 'perfect.html']);
    expect(readdirSync(tmp.path).filter((d) => d.startsWith('knetsim-state-'))).toEqual([]);
  });
});
