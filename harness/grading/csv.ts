import type { Exercise } from './exercise.ts';
import { percent, type StudentResult } from './results.ts';

const cell = (v: string | number) => {
  const s = String(v);
  // Quote when needed; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** grades.csv: student, one column per exercise, total, max, percent. */
export function gradesCsv(results: readonly StudentResult[], exercises: readonly Exercise[]): string {
  const lines = [['student', ...exercises.map((e) => e.id), 'total', 'max', 'percent'].map(cell).join(',')];
  for (const r of results) {
    const per = exercises.map((e) => r.exercises.find((x) => x.id === e.id)?.earned ?? 0);
    lines.push([r.student, ...per, r.earned, r.total, percent(r)].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
