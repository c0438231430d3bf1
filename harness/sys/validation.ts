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
