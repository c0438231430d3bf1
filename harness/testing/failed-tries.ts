import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a failed try of a test keeps its evidence, so a retry that passes does not lose it. */
export function failedTryDir(reportDir: string, file: string, testName: string, attempt: number): string {
  return join(reportDir, 'failed-tries', slug(`${file}#${testName}`), `try-${attempt + 1}`);
}

export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 150);
}

/** Saves one failed try: its errors and the given text files (daemon logs). */
export function saveFailedTry(dir: string, errors: readonly string[], files: readonly { name: string; text: string }[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'errors.txt'), errors.join('\n\n') || '(no error message)');
  for (const f of files) writeFileSync(join(dir, slug(f.name) + '.txt'), f.text);
}
