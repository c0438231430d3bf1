import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';
import type { StudentResult } from '../results.ts';
import { canvasCsv, checksCsv, gradesCsv, moodleCsv } from './csv.ts';
import type { RubricInfo } from './grades-file.ts';
import { esc, studentPage } from './html.ts';
import { checkOutDir, OUT_MARKER } from './out-dir.ts';
import { loadRoster, parseCsv } from './roster.ts';

const tmpDir = makeTempDir('grading-output');
afterAll(() => tmpDir.remove());
const tmp = tmpDir.path;

const rubric: RubricInfo[] = [{ id: 'e', title: 'E', chapter: 1, total: 3, checks: [{ id: 'c', title: 'C', points: 2 }, { id: 'd', title: 'D', points: 1 }] }];
const student = (name: string, status: 'failed' | 'not-graded' | 'timeout', earned: number): StudentResult => ({
  student: name,
  slug: name.replace(/[^\w.-]/g, '_'),
  earned,
  total: 3,
  durationMs: 0,
  gradedAt: '2026-01-01T00:00:00.000Z',
  exercises: [
    {
      id: 'e', title: 'E <i>', chapter: 1, earned, total: 3,
      checks: [
        { id: 'c', title: 'C', kind: 'valid', points: 2, earned: 0, status, passed: false, detail: '<script>', ...(status === 'not-graded' ? {} : { hint: 'try & see' }) },
        { id: 'd', title: 'D', kind: 'valid', points: 1, earned, status: earned ? 'passed' : 'not-tried', passed: earned > 0, detail: 'ok' },
      ],
    },
  ],
});

describe('CSV outputs', () => {
  const rs = [student('=cmd|x"<b>', 'failed', 1), student('ann', 'not-graded', 1), student('bob', 'timeout', 0)];
  test('grades.csv: sorted by name, formulas defused, flags in the status column', () => {
    expect(gradesCsv(rs, rubric)).toBe('student,e,total,max,percent,status\n"\'=cmd|x""<b>",1,1,3,33.3,ok\nann,1,1,3,33.3,not-graded:1\nbob,0,0,3,0,timeout:1\n');
  });
  test('checks.csv: a column per check; a check not graded is an empty cell', () => {
    expect(checksCsv(rs, rubric)).toBe('student,e/c,e/d,total\n"\'=cmd|x""<b>",0,1,1\nann,,1,1\nbob,0,0,0\n');
  });
  test('LMS files: roster identities, points, and no grade for a student with checks not graded', () => {
    const roster = [{ student: 'ann', name: 'Ann A', email: 'ann@example.org', username: 'aa1', id: '101', sis_id: 'S1', section: 'L1' }];
    expect(moodleCsv(rs, rubric, roster)).toBe(
      'Username,Email address,ID number,Full name,knetsim e,knetsim total\n"\'=cmd|x""<b>",,,"\'=cmd|x""<b>",1,1\naa1,ann@example.org,S1,Ann A,,\nbob,,,bob,0,0\n',
    );
    expect(canvasCsv(rs, rubric, roster)).toBe(
      'Student,ID,SIS User ID,SIS Login ID,Section,knetsim e\nPoints Possible,,,,,3\n"\'=cmd|x""<b>",,,,,1\nAnn A,101,S1,aa1,L1,\nbob,,,,,0\n',
    );
  });
});

describe('pages', () => {
  test('everything a student controls is escaped; a hint only where the check was tried and failed', () => {
    const html = studentPage(student('=cmd|x"<b>', 'failed', 1));
    expect(html).not.toContain('<script>');
    expect(html).toContain('Hint: try &amp; see');
    expect(html.match(/Hint:/g)).toHaveLength(1);
    expect(studentPage(student('ann', 'not-graded', 1))).not.toContain('Hint:');
    expect(studentPage(student('ann', 'not-graded', 1))).toContain('could not be graded, for reasons that are not yours');
    expect(esc(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });
});

describe('the roster', () => {
  test('CSV with quotes; bad rows named by row and column', () => {
    expect(parseCsv('a,"b ""c"", d"\r\n1,2\n')).toEqual([['a', 'b "c", d'], ['1', '2']]);
    const ok = join(tmp, 'roster.csv');
    writeFileSync(ok, '\uFEFFStudent,Email,SIS_ID\nann,ann@example.org,S1\n"bob",,\n');
    expect(loadRoster(ok)).toEqual([{ student: 'ann', email: 'ann@example.org', sis_id: 'S1' }, { student: 'bob' }]);
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'student,email,phone\nann,not-mail,1\nann,,2\n');
    expect(() => loadRoster(bad)).toThrow(/header\.3: unknown column "phone"/);
    writeFileSync(bad, 'student,email\nann,not-mail\nbob,\nbob,\n');
    expect(() => loadRoster(bad)).toThrow(/row 2\.email: must be an e-mail address[\s\S]*row 4\.student: "bob" is listed twice/);
  });
});

describe('--out safety', () => {
  const subs = join(tmp, 'class', 'subs');
  mkdirSync(join(subs, 'ann'), { recursive: true });
  const protect = [{ label: 'the submissions (--submissions)', path: subs, notInside: true }];
  test('refuses the submissions, a folder holding them, one inside them, and a folder not made by grading', () => {
    expect(() => checkOutDir(subs, protect)).toThrow(`--out ${subs}: is the submissions (--submissions); nothing was deleted`);
    expect(() => checkOutDir(join(tmp, 'class'), protect)).toThrow(/contains the submissions \(--submissions\)/);
    expect(() => checkOutDir(join(subs, 'ann', 'out'), protect)).toThrow(/is inside the submissions/);
    const mine = join(tmp, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    expect(() => checkOutDir(mine, protect)).toThrow(/is not empty and was not made by knetsim grade \(no \.knetsim-grading in it\)/);
    writeFileSync(join(mine, OUT_MARKER), '{}');
    expect(() => checkOutDir(mine, protect)).toThrow(/holds files a grading run did not make: notes\.txt/);
    rmSync(join(mine, 'notes.txt'));
    expect(checkOutDir(mine, protect)).toBe(mine);
    expect(checkOutDir(join(tmp, 'new', 'out'), protect)).toBe(join(tmp, 'new', 'out'));
    expect(() => checkOutDir('/', [])).toThrow(/is the root folder/);
  });
});
