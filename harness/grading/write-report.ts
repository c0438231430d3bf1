import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradesCsv } from './csv.ts';
import type { Exercise } from './exercise.ts';
import { studentPage, summaryPage } from './html.ts';
import type { StudentResult } from './results.ts';

/** Writes OUT/index.html, OUT/grades.csv, OUT/grades.json and OUT/students/<slug>.html. */
export function writeGradeReport(outDir: string, results: readonly StudentResult[], exercises: readonly Exercise[]): string {
  mkdirSync(join(outDir, 'students'), { recursive: true });
  for (const r of results) writeFileSync(join(outDir, 'students', `${r.slug}.html`), studentPage(r));
  writeFileSync(join(outDir, 'grades.csv'), gradesCsv(results, exercises));
  writeFileSync(join(outDir, 'grades.json'), JSON.stringify(results, null, 2));
  const index = join(outDir, 'index.html');
  writeFileSync(index, summaryPage(results, exercises));
  return index;
}
