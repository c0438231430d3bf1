/** What grading found, per check, exercise and student; the pages and CSVs are views of it. */

/**
 * - `passed`, `failed`: the check ran and judged the submission;
 * - `not-tried`: a check it requires did not pass (0 points, no hint);
 * - `timeout`: the student's run was killed at the time limit (0 points, flagged: re-grade
 *   with a longer --timeout if the machine was busy);
 * - `not-graded`: it could not be judged for a reason that is not the student's (the
 *   simulation of the exercise's own topology did not start, the sandbox or a fault failed):
 *   0 points for now, flagged, and the student's grade is left out of the LMS exports until
 *   a re-grade (`knetsim grade --student NAME`) judges it.
 */
export type CheckStatus = 'passed' | 'failed' | 'not-tried' | 'timeout' | 'not-graded';

export interface CheckResult {
  id: string;
  title: string;
  kind: string;
  points: number;
  earned: number;
  status: CheckStatus;
  passed: boolean;
  /** What was seen, in one or two sentences: this check's own finding only. */
  detail: string;
  /** Shown only when the check was tried and failed (or timed out). */
  hint?: string;
  /** Log of the child that ran it, relative to the output folder. */
  evidence?: string;
  /** How long its child ran (scenario checks). */
  durationMs?: number;
}

export interface ExerciseResult {
  id: string;
  title: string;
  chapter: number;
  earned: number;
  total: number;
  /** Set when the student's folder for this exercise is missing (says which folders there are). */
  note?: string;
  checks: CheckResult[];
}

export interface StudentResult {
  student: string;
  /** File-safe name: its page is students/<slug>.html, its logs work/<slug>/. */
  slug: string;
  earned: number;
  total: number;
  durationMs: number;
  /** When this student was graded (ISO time). */
  gradedAt: string;
  exercises: ExerciseResult[];
  /** Set when grading itself failed for this student (never for a bad submission). */
  error?: string;
}

/** Points are kept to two decimals everywhere. */
export const round2 = (n: number) => Math.round(n * 100) / 100;

export function percent(r: { earned: number; total: number }): number {
  return r.total === 0 ? 0 : Math.round((r.earned / r.total) * 1000) / 10;
}

export const allChecks = (r: StudentResult) => r.exercises.flatMap((e) => e.checks);

/** The flags a class summary shows for a student. */
export function flagsOf(r: StudentResult): { timeouts: number; notGraded: number; error: boolean } {
  const checks = allChecks(r);
  return {
    timeouts: checks.filter((c) => c.status === 'timeout').length,
    notGraded: checks.filter((c) => c.status === 'not-graded').length,
    error: r.error !== undefined,
  };
}

/** Whether the grade is final: every check judged, and grading did not stop early. */
export function isComplete(r: StudentResult): boolean {
  const f = flagsOf(r);
  return f.notGraded === 0 && !f.error;
}
