/** What grading found, per check, exercise and student; the HTML pages and grades.csv are views of it. */
export interface CheckResult {
  id: string;
  title: string;
  kind: string;
  points: number;
  earned: number;
  passed: boolean;
  /** What was seen, in one or two sentences. */
  detail: string;
  /** Shown when the check failed. */
  hint: string;
  /** Log of the child that ran it, relative to the output folder. */
  evidence?: string;
}

export interface ExerciseResult {
  id: string;
  title: string;
  chapter: number;
  earned: number;
  total: number;
  checks: CheckResult[];
}

export interface StudentResult {
  student: string;
  /** File-safe name: its page is students/<slug>.html. */
  slug: string;
  earned: number;
  total: number;
  durationMs: number;
  exercises: ExerciseResult[];
  /** Set when grading itself failed for this student (never for a bad submission). */
  error?: string;
}

/** Points are kept to two decimals everywhere. */
export const round2 = (n: number) => Math.round(n * 100) / 100;

export function percent(r: { earned: number; total: number }): number {
  return r.total === 0 ? 0 : Math.round((r.earned / r.total) * 1000) / 10;
}
