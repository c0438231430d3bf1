import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { gradesCsv } from './csv.ts';
import { loadExercise, loadExercises } from './exercise.ts';
import { gradeAll } from './grade.ts';
import { esc, studentPage } from './html.ts';
import { parseJunit } from './junit.ts';
import type { StudentResult } from './results.ts';
import type { ScenarioRunOptions } from './scenario-run.ts';
import { stubRunner } from './fixtures/stub-runner.ts';
import { readSubmissionFile } from './submission-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'knetsim-grading-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('exercises', () => {
  test('the shipped exercises load, chapter by chapter, with their totals', () => {
    const ex = loadExercises(join(ROOT, 'exercises'));
    expect(ex.map((e) => [e.id, e.chapter, e.totalPoints])).toEqual([
      ['ch1-workers-and-containers', 1, 11],
      ['ch2-pod-to-pod', 2, 18],
      ['ch3-services', 3, 11],
    ]);
    expect(ex.every((e) => e.instructionsText.startsWith('# Chapter'))).toBe(true);
  });

  test('a bad exercise.json is rejected naming the field', () => {
    const dir = join(tmp, 'bad-ex');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'instructions.md'), '# x');
    writeFileSync(
      join(dir, 'exercise.json'),
      JSON.stringify({
        id: 'x',
        chapter: 1,
        title: 't',
        instructions: 'instructions.md',
        files: { 'a.json': { schema: 'answers', fields: { v: 'integer' } } },
        checks: [
          { id: 'a', kind: 'equals', file: 'b.json', field: 'v', value: 1, points: -1, title: 't', hint: 'h' },
          { id: 'b', kind: 'valid', file: 'a.json', points: 1, title: 't', hint: 'h', requires: ['zzz'] },
        ],
      }),
    );
    expect(() => loadExercise(dir)).toThrow(/checks\.0\.points[\s\S]*checks\.0: b\.json is not among[\s\S]*checks\.1\.requires: "zzz" is not an earlier check/);
  });
});

describe('submission files', () => {
  const dir = join(tmp, 'student');
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string) => writeFileSync(join(dir, name), text);

  test('malformed, wrong types, missing and oversized files say why, never throw', () => {
    put('a.json', '{"vni": 1,');
    put('b.json', '{"vni": "100", "extra": 1}');
    put('big.json', `"${'x'.repeat(300_000)}"`);
    const answers = { schema: 'answers', fields: { vni: 'integer' } } as const;
    expect(readSubmissionFile(dir, 'a.json', answers)).toMatchObject({ ok: false, reason: expect.stringMatching(/^a\.json is not valid JSON/) });
    expect(readSubmissionFile(dir, 'b.json', answers)).toMatchObject({
      ok: false,
      reason: 'b.json: vni: Expected number, received string; (root): unknown field(s) "extra"',
    });
    expect(readSubmissionFile(dir, 'nope.json', answers)).toEqual({ ok: false, reason: 'nope.json is missing' });
    expect(readSubmissionFile(dir, 'big.json', answers)).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 262144 allowed/) });
  });

  test('a topology must give flannel inline and stay small; a flannel config is checked by its own schema', () => {
    put('t1.json', JSON.stringify({ flannel: '/etc/shadow', clusters: [{ name: 'C0', workers: ['w1'] }] }));
    expect(readSubmissionFile(dir, 't1.json', { schema: 'topology' })).toMatchObject({ ok: false, reason: expect.stringMatching(/inline/) });
    const flannel = { Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan' } };
    put('t2.json', JSON.stringify({ flannel, clusters: [{ name: 'C0', workers: ['w1', 'w2', 'w3', 'w4', 'w5'] }] }));
    expect(readSubmissionFile(dir, 't2.json', { schema: 'topology' })).toMatchObject({ ok: false, reason: 't2.json asks for 5 workers; at most 4' });
    put('f.json', JSON.stringify({ ...flannel, Backend: { Type: 'vxlan', VNI: 0 } }));
    expect(readSubmissionFile(dir, 'f.json', { schema: 'flannel-config' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^f\.json: Backend\.VNI: /) });
  });
});

describe('scoring without simulations (stubbed scenario runner)', () => {
  test('the samples score as in grade.sim.test.ts when scenario checks behave as a real run would', async () => {
    const calls: ScenarioRunOptions[] = [];
    const stub = stubRunner(calls);
    const exercises = loadExercises(join(ROOT, 'exercises'));
    const results = await gradeAll({ exercises, submissionsDir: join(ROOT, 'exercises/samples'), outDir: join(tmp, 'out'), parallel: 2, timeoutMs: 1000, runner: stub });
    expect(Object.fromEntries(results.map((r) => [r.student, r.earned]))).toEqual({ broken: 4, empty: 0, partial: 30, perfect: 40 });
    // Scenario checks ran only where their files were valid and their prerequisites passed.
    expect(calls.length).toBe(13);
  });
});

describe('outputs', () => {
  const r: StudentResult = {
    student: '=cmd|x"<b>',
    slug: 'x',
    earned: 1,
    total: 2,
    durationMs: 0,
    exercises: [
      { id: 'e', title: 'E <i>', chapter: 1, earned: 1, total: 2, checks: [{ id: 'c', title: 'C', kind: 'valid', points: 2, earned: 0, passed: false, detail: '<script>', hint: 'try & see' }] },
    ],
  };
  test('grades.csv quotes and defuses spreadsheet formulas', () => {
    const csv = gradesCsv([r], [{ id: 'e' } as never]);
    expect(csv).toBe('student,e,total,max,percent\n"\'=cmd|x""<b>",1,1,2,50\n');
  });
  test('pages escape everything a student controls and show the hint of a failed check', () => {
    const html = studentPage(r);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Hint: try &amp; see');
    expect(esc(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });
  test('JUnit XML: cases, files and failure messages', () => {
    const j = parseJunit(
      '<testsuites><testsuite name="a.ts"><testcase classname="a.ts" name="x &gt; y" time="1"></testcase>' +
        '<testcase classname="a.ts" name="z" time="1"><failure message="expected 1 &amp; 2" type="AssertionError">…</failure></testcase>' +
        '<testcase classname="b.ts" name="s"><skipped/></testcase></testsuite></testsuites>',
    );
    expect(j).toMatchObject({ tests: 3, failures: 1, skipped: 1, passed: ['x > y'], failed: [{ name: 'z', message: 'expected 1 & 2' }] });
    expect(j.cases.map((c) => c.file)).toEqual(['a.ts', 'a.ts', 'b.ts']);
  });
});
