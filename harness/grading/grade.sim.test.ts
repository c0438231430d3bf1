// Grades the four sample submissions (exercises/samples) for real, with `knetsim grade`: every
// scenario check runs in a sandbox with a simulation of its own. Their exact scores are part
// of the contract.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../sys/temp-dir.ts';
import { readGradesFile } from './output/grades-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Kept after the run (pages, logs of every child) with the suite's other reports.
const out = join(ROOT, 'reports/grading-samples');
// The grader's own temp folder: the sandboxes' roots are made there, and must all be gone.
const tmp = makeTempDir('grade-sim');
afterAll(() => tmp.remove());

describe('knetsim grade on the sample submissions', () => {
  test('perfect 61, partial 41, broken 6, empty 0 (of 61), per exercise and per check', { timeout: 900_000 }, async () => {
    rmSync(out, { recursive: true, force: true });
    const t0 = Date.now();
    const run = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/knetsim.js'), 'grade', '--submissions', join(ROOT, 'exercises/samples'), '--out', out, '--parallel', '2', '--timeout', '240'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp.path },
      timeout: 880_000,
    });
    console.log(`graded the samples in ${Math.round((Date.now() - t0) / 1000)} s`);
    expect(run.stdout).toMatch(/perfect: 61\/61/);
    const g = readGradesFile(out);
    const scores = Object.fromEntries(g.students.map((r) => [r.student, [r.earned, ...r.exercises.map((e) => e.earned)]]));
    expect(scores).toEqual({ broken: [6, 4, 1, 1, 0], empty: [0, 0, 0, 0, 0], partial: [41, 8, 13, 12, 8], perfect: [61, 11, 18, 17, 15] });
    expect(g.students.every((r) => r.total === 61 && r.error === undefined)).toBe(true);
    // No flags: nothing timed out, everything was graded.
    expect(g.students.flatMap((r) => r.exercises.flatMap((e) => e.checks)).filter((c) => c.status === 'timeout' || c.status === 'not-graded')).toEqual([]);

    const check = (student: string, ex: string, id: string) => g.students.find((r) => r.student === student)!.exercises.find((e) => e.id.startsWith(ex))!.checks.find((c) => c.id === id)!;
    // Connectivity alone misses the VNI on the wire and a dropped endpoint; it catches the cut link.
    expect(check('partial', 'ch2', 'scenario-catches-wrong-vni')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/passed on the broken simulation \(wire-vni 200\): it does not notice the fault/) });
    expect(check('partial', 'ch2', 'scenario-catches-cut-link').status).toBe('passed');
    expect(check('partial', 'ch3', 'scenario-catches-dropped-endpoint').detail).toMatch(/does not notice the fault/);
    expect(check('perfect', 'ch2', 'scenario-catches-wrong-vni').detail).toMatch(/failed, as it should, on the broken simulation \(wire-vni 200\): .*toContainVxlan|failed, as it should/);
    expect(check('perfect', 'ch3', 'scenario-catches-dropped-endpoint').status).toBe('passed');
    expect(check('perfect', 'ch4', 'expose-works').status).toBe('passed');
    expect(check('partial', 'ch4', 'expose-works').status).toBe('passed');
    // Field by field: one wrong field costs only its own check.
    expect(check('broken', 'ch2', 'flannel-port')).toMatchObject({ status: 'passed', detail: 'flannel.json Backend.Port is 4789' });
    expect(check('broken', 'ch2', 'flannel-vni').detail).toBe('flannel.json: Backend.VNI: Expected number, received string');
    expect(check('partial', 'ch1', 'topology-pod').status).toBe('passed');
    expect(check('partial', 'ch4', 'router-listener').status).toBe('passed');
    expect(check('broken', 'ch2', 'scenario-passes').detail).toMatch(/should pass on a correct simulation but (failed|did not run)/);
    expect(check('broken', 'ch2', 'scenario-catches-cut-link')).toMatchObject({ status: 'not-tried', detail: expect.stringMatching(/^not tried/) });
    expect(check('broken', 'ch2', 'scenario-catches-cut-link').hint).toBeUndefined();
    expect(check('broken', 'ch4', 'answer-address').detail).toBe('answers.json is missing: no folder "ch4-multicluster" in broken\'s submission (misnamed? found "ch4-multi-cluster")');
    expect(check('empty', 'ch1', 'topology-valid').detail).toBe('topology.json is missing: no folder "ch1-workers-and-containers" in empty\'s submission (it has nothing)');

    // The outputs, and no sandbox left its root behind.
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toBe(
      'student,ch1-workers-and-containers,ch2-pod-to-pod,ch3-services,ch4-multicluster,total,max,percent,status\n' +
        'broken,4,1,1,0,6,61,9.8,ok\nempty,0,0,0,0,0,61,0,ok\npartial,8,13,12,8,41,61,67.2,ok\nperfect,11,18,17,15,61,61,100,ok\n',
    );
    expect(readdirSync(join(out, 'students')).sort()).toEqual(['broken.html', 'empty.html', 'partial.html', 'perfect.html']);
    expect(readdirSync(out).sort()).toEqual(['.knetsim-grading', 'canvas.csv', 'checks.csv', 'grades.csv', 'grades.json', 'index.html', 'moodle.csv', 'students', 'work']);
    expect(readFileSync(join(out, 'work/perfect/ch2-pod-to-pod/scenario-catches-wrong-vni.log'), 'utf8')).toMatch(/student\.test\.ts/);
    expect(readdirSync(tmp.path).filter((d) => d.startsWith('knetsim-'))).toEqual([]);
  });
});
