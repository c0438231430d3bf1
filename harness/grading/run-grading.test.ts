import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type { CheckRunInput, CheckRunner } from './check-run.ts';
import { stubRunner } from './fixtures/stub-runner.ts';
import { mergeGradeOutputs } from './output/merge.ts';
import { readGradesFile } from './output/grades-file.ts';
import { runGrading } from './run-grading.ts';
import { parseShard, shardItems } from '../shards/shard.ts';
import { makeTempDir } from '../sys/temp-dir.ts';

// Grading's logic and outputs without simulations: a stub answers for the sandboxed
// children as the real runs of the samples do (grade.sim.test.ts runs them for real).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXERCISES = join(ROOT, 'exercises');
const tmpDir = makeTempDir('grading-run');
afterAll(() => tmpDir.remove());
const tmp = tmpDir.path;
const SCORES = { broken: [6, 4, 1, 1, 0], empty: [0, 0, 0, 0, 0], partial: [41, 8, 13, 12, 8], perfect: [61, 11, 18, 17, 15] };
const scoresOf = (students: { student: string; earned: number; exercises: { earned: number }[] }[]) =>
  Object.fromEntries(students.map((r) => [r.student, [r.earned, ...r.exercises.map((e) => e.earned)]]));
const grade = (o: { submissionsDir?: string; outDir: string; runner?: CheckRunner; shard?: string; student?: string; rosterFile?: string }) =>
  runGrading({
    submissionsDir: o.submissionsDir ?? join(ROOT, 'exercises/samples'),
    exercisesDir: EXERCISES,
    outDir: o.outDir,
    parallel: 2,
    timeoutMs: 1000,
    runner: o.runner ?? stubRunner(),
    ...(o.shard ? { shard: parseShard(o.shard) } : {}),
    ...(o.student ? { student: o.student } : {}),
    ...(o.rosterFile ? { rosterFile: o.rosterFile } : {}),
  });
/** An output without what differs from run to run (dates, run times, durations). */
function timeless(dir: string) {
  const g = readGradesFile(dir);
  const students = JSON.parse(JSON.stringify(g.students, (k, v) => (k === 'durationMs' || k === 'gradedAt' ? undefined : v)));
  const csvs = Object.fromEntries(['grades.csv', 'checks.csv', 'moodle.csv', 'canvas.csv'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  return { exercises: g.exercises, roster: g.roster, students, csvs, pages: students.map((s: { slug: string }) => readFileSync(join(dir, 'students', `${s.slug}.html`), 'utf8').replace(/\d+ ms/g, '')) };
}

describe('grading the samples (stubbed children)', () => {
  test('exact scores; each child gets the same inputs in every variant of a student scenario', async () => {
    const calls: CheckRunInput[] = [];
    const r = await grade({ outDir: join(tmp, 'all'), runner: stubRunner(calls) });
    expect(scoresOf(r.graded)).toEqual(SCORES);
    // Scenario checks ran only where their files were valid and their prerequisites passed.
    expect(calls.length).toBe(20);
    const perfectVni = calls.filter((c) => c.scenario.name === 'student.test.ts' && c.scenario.text.includes('toContainVxlan'));
    expect(perfectVni.map((c) => c.faults.map((f) => f.kind))).toEqual([[], ['wire-vni'], ['link-down']]);
    const { faults: _a, ...first } = perfectVni[0]!;
    for (const c of perfectVni.slice(1)) expect({ ...c, faults: undefined }).toEqual({ ...first, faults: undefined });
    expect(calls.every((c) => c.hide.includes(join(ROOT, 'exercises/samples')))).toBe(true);
    expect(existsSync(join(tmp, 'all', '.knetsim-grading'))).toBe(true);
    expect(readFileSync(join(tmp, 'all', 'grades.csv'), 'utf8')).toBe(
      'student,ch1-workers-and-containers,ch2-pod-to-pod,ch3-services,ch4-multicluster,total,max,percent,status\n' +
        'broken,4,1,1,0,6,61,9.8,ok\nempty,0,0,0,0,0,61,0,ok\npartial,8,13,12,8,41,61,67.2,ok\nperfect,11,18,17,15,61,61,100,ok\n',
    );
    const index = readFileSync(r.index, 'utf8');
    expect(index).toMatch(/data-testid="version">knetsim 0\.1\.0/);
    expect(index).toMatch(/no roster given: the LMS files identify students by folder name/);
  });

  test('shards are disjoint and cover the class; merged, they equal one run', async () => {
    const names = ['d', 'a', 'c', 'e', 'b'];
    expect([1, 2, 3].map((i) => shardItems([...names].sort(), { index: i, count: 3 }))).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
    expect(() => parseShard('3/2')).toThrow(/--shard "3\/2"[\s\S]*index must be between 1 and count/);
    const roster = join(tmp, 'roster.csv');
    writeFileSync(roster, 'student,email\nperfect,p@example.org\n');
    await grade({ outDir: join(tmp, 'single'), rosterFile: roster });
    for (const n of [2, 3]) {
      const parts = [];
      for (let i = 1; i <= n; i++) {
        const dir = join(tmp, `shard-${n}-${i}`);
        const r = await grade({ outDir: dir, shard: `${i}/${n}`, rosterFile: roster });
        expect(r.graded.map((s) => s.student)).toEqual(shardItems(Object.keys(SCORES).sort(), { index: i, count: n }));
        parts.push(dir);
      }
      mergeGradeOutputs(parts, join(tmp, `merged-${n}`));
      expect(timeless(join(tmp, `merged-${n}`))).toEqual(timeless(join(tmp, 'single')));
      expect(readGradesFile(join(tmp, `merged-${n}`)).runs.map((r) => r.shard)).toEqual(Array.from({ length: n }, (_, i) => `${i + 1}/${n}`));
    }
    expect(() => mergeGradeOutputs([join(tmp, 'shard-2-1'), join(tmp, 'single')], join(tmp, 'merged-x'))).toThrow(/student "broken" is in both/);
    expect(() => mergeGradeOutputs([join(tmp, 'shard-2-1')], join(tmp, 'shard-2-1', 'work'))).toThrow(/is inside the grading output/);
  });

  test('--student re-grades one student into an existing output and refreshes the summary', async () => {
    const subs = join(tmp, 'subs');
    cpSync(join(ROOT, 'exercises/samples'), subs, { recursive: true });
    const out = join(tmp, 'regrade');
    // A first run where partial's sandboxes failed (not the student's fault): flagged, no LMS grade.
    const flaky = stubRunner();
    const failing: CheckRunner = async (input) => {
      const r = await flaky(input);
      return input.scenario.text.includes('Only connectivity') ? { ...r, infraError: 'the sandbox failed: test' } : r;
    };
    await grade({ submissionsDir: subs, outDir: out, runner: failing });
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toMatch(/^partial,8,8,12,8,36,61,59,not-graded:3$/m);
    expect(readFileSync(join(out, 'moodle.csv'), 'utf8')).toMatch(/^partial,,,partial,,,,,$/m);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/data-testid="pending">⚠ Not graded, not the students' fault[^<]*: partial\./);
    // The re-grade: partial only; the others untouched.
    const before = readFileSync(join(out, 'students', 'perfect.html'), 'utf8');
    const r = await grade({ submissionsDir: subs, outDir: out, student: 'partial' });
    expect(r.graded.map((s) => s.student)).toEqual(['partial']);
    expect(scoresOf(r.grades.students)).toEqual(SCORES);
    expect(readFileSync(join(out, 'students', 'perfect.html'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'moodle.csv'), 'utf8')).toMatch(/^partial,,,partial,8,13,12,8,41$/m);
    expect(readGradesFile(out).runs.map((x) => x.students.length)).toEqual([4, 1]);
    await expect(grade({ submissionsDir: subs, outDir: out, student: 'nobody' })).rejects.toThrow(/--student nobody: no such folder/);
    await expect(grade({ submissionsDir: subs, outDir: join(tmp, 'none'), student: 'partial' })).rejects.toThrow(/--student needs an existing grading output/);
  });

  test('--out is refused before anything is deleted', async () => {
    const subs = join(tmp, 'subs-out');
    cpSync(join(ROOT, 'exercises/samples/perfect'), join(subs, 'perfect'), { recursive: true });
    await expect(grade({ submissionsDir: subs, outDir: EXERCISES })).rejects.toThrow(/^--out .*: is the exercises \(--exercises\); nothing was deleted$/);
    await expect(grade({ submissionsDir: subs, outDir: join(ROOT, 'harness') })).rejects.toThrow(/^--out .*: is not empty and was not made by knetsim grade/);
    await expect(grade({ outDir: ROOT })).rejects.toThrow(/contains the submissions/);
    await expect(grade({ outDir: join(ROOT, 'exercises/samples/perfect/out') })).rejects.toThrow(/is inside the submissions/);
    expect(existsSync(join(ROOT, 'exercises/ch1-workers-and-containers/exercise.json'))).toBe(true);
  });
});
