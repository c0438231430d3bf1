import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../sys/errors.ts';
import { fromZod, readJsonInput } from '../sys/validation.ts';
import { FaultsSchema } from './faults.ts';

/**
 * An exercise as a teacher writes it: exercises/<id>/exercise.json (this schema) beside
 * its instructions (markdown) and whatever check scenarios and topologies it uses.
 */
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lowercase letters, digits and dashes');
const fileName = z.string().regex(/^[\w][\w.-]{0,63}$/, 'must be a plain file name (no folders)');
/** `submission:NAME` (a file the student hands in) or a path inside the exercise folder. */
const source = z.string().regex(/^(submission:[\w][\w.-]{0,63}|[\w][\w./-]{0,127})$/, 'must be submission:FILE or a path in the exercise folder');

const AnswerType = z.enum(['integer', 'number', 'string', 'boolean', 'string[]']);

export const SubmissionFileSchema = z.discriminatedUnion('schema', [
  z.object({ schema: z.literal('answers'), fields: z.record(AnswerType) }).strict(),
  z.object({ schema: z.literal('flannel-config') }).strict(),
  z.object({ schema: z.literal('topology') }).strict(),
  z.object({ schema: z.literal('scenario') }).strict(),
  z.object({ schema: z.literal('service') }).strict(),
]);
export type SubmissionFileSpec = z.infer<typeof SubmissionFileSchema>;

const common = {
  id,
  title: z.string().min(1),
  points: z.number().positive().max(100),
  hint: z.string().min(1),
  /** Checks that must pass first; otherwise this one is not tried and scores 0. */
  requires: z.array(id).default([]),
};

export const CheckSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('valid'), file: fileName }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('equals'),
      file: fileName,
      /** Dotted path in the file's parsed content (Backend.VNI); '' for the whole. */
      field: z.string().max(200),
      value: z.unknown(),
      /** Strings compare without case and surrounding space. */
      caseInsensitive: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('scenario'),
      /** The scenario file run in a vitest child: the student's or one of the exercise's. */
      scenario: source,
      /** The topology it runs against (a path in the exercise folder or the student's). */
      topology: source,
      /** Replaces the topology's flannel config (e.g. submission:flannel.json, broken/vni-200.json). */
      flannel: source.optional(),
      faults: FaultsSchema.default([]),
      /** Files copied beside the scenario (under their own names), e.g. submission:service.json for a check to read. */
      data: z.array(source).max(8).default([]),
      expect: z.enum(['pass', 'fail']),
    })
    .strict(),
]);
export type Check = z.infer<typeof CheckSchema>;

export const ExerciseSchema = z
  .object({
    id,
    chapter: z.number().int().min(1).max(9),
    title: z.string().min(1),
    instructions: fileName,
    files: z.record(fileName, SubmissionFileSchema),
    checks: z.array(CheckSchema).min(1),
  })
  .strict()
  .superRefine((e, ctx) => {
    const ids = new Set<string>();
    e.checks.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'id'], message: `duplicate check id "${c.id}"` });
      for (const r of c.requires) {
        if (!ids.has(r)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'requires'], message: `"${r}" is not an earlier check` });
      }
      ids.add(c.id);
      const files = c.kind === 'scenario' ? [c.scenario, c.topology, c.flannel, ...c.data] : [`submission:${c.file}`];
      files.forEach((f) => {
        if (f?.startsWith('submission:') && !(f.slice(11) in e.files)) {
          ctx.addIssue({ code: 'custom', path: ['checks', i], message: `${f.slice(11)} is not among the exercise's files` });
        }
      });
    });
  });
export type ExerciseSpec = z.infer<typeof ExerciseSchema>;

export interface Exercise extends ExerciseSpec {
  dir: string;
  instructionsText: string;
  totalPoints: number;
}

export function loadExercise(dir: string): Exercise {
  const file = join(dir, 'exercise.json');
  const raw = readJsonInput(file);
  const r = ExerciseSchema.safeParse(raw);
  if (!r.success) throw fromZod(file, r.error);
  const abs = resolve(dir);
  const missing = r.data.checks.flatMap((c, i) =>
    c.kind !== 'scenario'
      ? []
      : [c.scenario, c.topology, c.flannel, ...c.data]
          .filter((f): f is string => f !== undefined && !f.startsWith('submission:') && !existsSync(join(abs, f)))
          .map((f) => ({ path: `checks.${i}`, message: `no file ${f} in ${abs}` })),
  );
  if (!existsSync(join(abs, r.data.instructions))) missing.push({ path: 'instructions', message: `no file ${r.data.instructions}` });
  if (missing.length) throw new ValidationError(file, missing);
  return {
    ...r.data,
    dir: abs,
    instructionsText: readFileSync(join(abs, r.data.instructions), 'utf8'),
    totalPoints: r.data.checks.reduce((n, c) => n + c.points, 0),
  };
}

/** Every exercise under a folder (each sub-folder with an exercise.json), in chapter order. */
export function loadExercises(root: string): Exercise[] {
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'exercise.json')))
    .map((d) => join(root, d.name));
  return dirs.map(loadExercise).sort((a, b) => a.chapter - b.chapter || a.id.localeCompare(b.id));
}
