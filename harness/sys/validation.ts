import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/** A zod failure as our ValidationError: every issue with its dotted field path. */
export function fromZod(source: string, error: z.ZodError, prefix: string[] = []): ValidationError {
  return new ValidationError(source, zodIssues(error, prefix));
}

export function zodIssues(error: z.ZodError, prefix: string[] = []): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: [...prefix, ...i.path].join('.'), message: zodMessage(i) }));
}

export function zodMessage(i: z.ZodIssue): string {
  if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  return i.message;
}

/** Reads a JSON input file; a missing file or broken JSON is a ValidationError naming the file. */
export function readJsonInput(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(file, [{ path: '', message: (e as Error).message }]);
  }
}
