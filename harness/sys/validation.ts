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

/**
 * A JSON value from an environment variable, validated by `schema`; `fallback` when the
 * variable is unset or empty. A ValidationError names the variable and the field.
 */
export function jsonFromEnv<S extends z.ZodTypeAny>(name: string, schema: S, fallback: unknown, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const text = env[name];
  let raw: unknown = fallback;
  if (text) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ValidationError(name, [{ path: '', message: (e as Error).message }]);
    }
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw fromZod(name, r.error);
  return r.data;
}
