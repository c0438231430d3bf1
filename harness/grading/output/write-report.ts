import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasCsv, checksCsv, gradesCsv, moodleCsv } from './csv.ts';
import { writeGradesFile, type GradesFile } from './grades-file.ts';
import { studentPage, summaryPage } from './html.ts';
import { markOutDir } from './out-dir.ts';

/**
 * Writes a grading output from its grades: the marker, grades.json, index.html (class
 * summary), students/<slug>.html, grades.csv, checks.csv, moodle.csv and canvas.csv. The
 * scenario logs (work/) are written as each child ends. Returns the summary's path.
 */
export function writeGradeOutput(outDir: string, g: GradesFile): string {
  mkdirSync(join(outDir, 'students'), { recursive: true });
  markOutDir(outDir);
  const students = [...g.students].sort((a, b) => a.student.localeCompare(b.student));
  const sorted: GradesFile = { ...g, students };
  for (const r of students) writeFileSync(join(outDir, 'students', `${r.slug}.html`), studentPage(r));
  writeGradesFile(outDir, sorted);
  writeFileSync(join(outDir, 'grades.csv'), gradesCsv(students, g.exercises));
  writeFileSync(join(outDir, 'checks.csv'), checksCsv(students, g.exercises));
  writeFileSync(join(outDir, 'moodle.csv'), moodleCsv(students, g.exercises, g.roster));
  writeFileSync(join(outDir, 'canvas.csv'), canvasCsv(students, g.exercises, g.roster));
  const index = join(outDir, 'index.html');
  writeFileSync(index, summaryPage(sorted));
  return index;
}
