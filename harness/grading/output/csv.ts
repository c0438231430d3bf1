import { flagsOf, isComplete, percent, type StudentResult } from '../results.ts';
import type { RubricInfo } from './grades-file.ts';
import type { RosterEntry } from './roster.ts';

export const cell = (v: string | number | undefined) => {
  const s = v === undefined ? '' : String(v);
  // A leading = + - @ (or tab, CR) would be a formula in a spreadsheet: defused with a quote.
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const line = (cells: readonly (string | number | undefined)[]) => cells.map(cell).join(',');
const csv = (rows: readonly (readonly (string | number | undefined)[])[]) => rows.map(line).join('\n') + '\n';
const byName = (results: readonly StudentResult[]) => [...results].sort((a, b) => a.student.localeCompare(b.student));
const earnedIn = (r: StudentResult, id: string) => r.exercises.find((x) => x.id === id)?.earned ?? 0;

/** What the status column says: ok, or the flags (checks not graded, time-outs, a grading error). */
export function statusText(r: StudentResult): string {
  const f = flagsOf(r);
  const parts = [f.error ? 'grading-error' : '', f.notGraded ? `not-graded:${f.notGraded}` : '', f.timeouts ? `timeout:${f.timeouts}` : ''].filter(Boolean);
  return parts.join(' ') || 'ok';
}

/** grades.csv: student, one column per exercise, total, max, percent, status. */
export function gradesCsv(results: readonly StudentResult[], rubric: readonly RubricInfo[]): string {
  return csv([
    ['student', ...rubric.map((e) => e.id), 'total', 'max', 'percent', 'status'],
    ...byName(results).map((r) => [r.student, ...rubric.map((e) => earnedIn(r, e.id)), r.earned, r.total, percent(r), statusText(r)]),
  ]);
}

/** checks.csv: student, one column per check (`exercise/check`: points earned; empty when not graded), total. */
export function checksCsv(results: readonly StudentResult[], rubric: readonly RubricInfo[]): string {
  const cols = rubric.flatMap((e) => e.checks.map((c) => ({ ex: e.id, check: c.id })));
  return csv([
    ['student', ...cols.map((c) => `${c.ex}/${c.check}`), 'total'],
    ...byName(results).map((r) => [
      r.student,
      ...cols.map(({ ex, check }) => {
        const c = r.exercises.find((x) => x.id === ex)?.checks.find((k) => k.id === check);
        return c?.status === 'not-graded' ? undefined : (c?.earned ?? 0);
      }),
      r.earned,
    ]),
  ]);
}

const rosterOf = (roster: readonly RosterEntry[]) => new Map(roster.map((e) => [e.student, e]));
/** A grade an LMS may record: none (an empty cell, which both LMSs skip) until every check was judged. */
const final = (r: StudentResult, v: number) => (isComplete(r) ? v : undefined);

/**
 * moodle.csv, for Moodle's grade import (Grades → Import → CSV file): identify students by
 * "Username" (the roster's username, else the folder name) or "Email address", and map each
 * knetsim column to a grade item. Points, not percent.
 */
export function moodleCsv(results: readonly StudentResult[], rubric: readonly RubricInfo[], roster: readonly RosterEntry[]): string {
  const who = rosterOf(roster);
  return csv([
    ['Username', 'Email address', 'ID number', 'Full name', ...rubric.map((e) => `knetsim ${e.id}`), 'knetsim total'],
    ...byName(results).map((r) => {
      const p = who.get(r.student);
      return [p?.username ?? r.student, p?.email, p?.sis_id, p?.name ?? r.student, ...rubric.map((e) => final(r, earnedIn(r, e.id))), final(r, r.earned)];
    }),
  ]);
}

/**
 * canvas.csv, in the Canvas gradebook's import format: Student, ID, SIS User ID, SIS Login
 * ID, Section, then one column per exercise, with a "Points Possible" row. Canvas matches
 * rows by ID or SIS User ID, which only a roster gives.
 */
export function canvasCsv(results: readonly StudentResult[], rubric: readonly RubricInfo[], roster: readonly RosterEntry[]): string {
  const who = rosterOf(roster);
  return csv([
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...rubric.map((e) => `knetsim ${e.id}`)],
    ['Points Possible', '', '', '', '', ...rubric.map((e) => e.total)],
    ...byName(results).map((r) => {
      const p = who.get(r.student);
      return [p?.name ?? r.student, p?.id, p?.sis_id, p?.username, p?.section, ...rubric.map((e) => final(r, earnedIn(r, e.id)))];
    }),
  ]);
}
