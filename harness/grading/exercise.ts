import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { planTopology } from '../model/topology.ts';
import { ValidationError } from '../sys/errors.ts';
import { fromZod, readJsonInput } from '../sys/validation.ts';
import { faultIssues, FaultsSchema } from './faults.ts';
import { SetupSchema } from './setup.ts';
import { sameMeaning } from './equals.ts';

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
  /** skrouterd's JSON config, checked by the router's own parser (parseRouterConfig). */
  z.object({ schema: z.literal('router-config') }).strict(),
  /** A service exposed across clusters: { name, port, from, to, listenPort } (sim.multicluster.expose). */
  z.object({ schema: z.literal('cross-cluster-expose') }).strict(),
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

/** How `equals` and `includes` compare (see equals.ts): by meaning, never by JSON text. */
const comparison = {
  /** Strings compare without case and surrounding space (everywhere inside the value). */
  caseInsensitive: z.boolean().default(false),
  /** Arrays compare as sets (default: in order). */
  anyOrder: z.boolean().default(false),
};

export const CheckSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('valid'), file: fileName }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('equals'),
      file: fileName,
      /** Dotted path in the file's content (Backend.VNI, clusters.0.pods); '' for the whole. */
      field: z.string().max(200),
      value: z.unknown(),
      ...comparison,
    })
    .strict(),
  z
    .object({
      ...common,
      /** The array at `field` has an element that matches `value` (for an object: has its fields, by meaning). */
      kind: z.literal('includes'),
      file: fileName,
      field: z.string().min(1).max(200),
      value: z.unknown(),
      ...comparison,
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('scenario'),
      /** The scenario file run in a sandboxed vitest child: the student's or one of the exercise's. */
      scenario: source,
      /** The topology it runs against (a path in the exercise folder or the student's). */
      topology: source,
      /** Replaces the topology's flannel config (e.g. submission:flannel.json). */
      flannel: source.optional(),
      /** Built on the simulation before the tests run (services), the same in every variant. */
      setup: SetupSchema.optional(),
      /** Applied by the grader from outside once the simulation is up (see faults.ts). */
      faults: FaultsSchema.default([]),
      /** Files copied beside the scenario (under their own names), e.g. submission:service.json for a check to read. */
      data: z.array(source).max(8).default([]),
      expect: z.enum(['pass', 'fail']),
    })
    .strict(),
]);
export type Check = z.infer<typeof CheckSchema>;
export type ScenarioCheck = Extract<Check, { kind: 'scenario' }>;

/** What a scenario child is given: equal for every variant of one student scenario. */
const childInputs = (c: ScenarioCheck) => ({ topology: c.topology, flannel: c.flannel, setup: c.setup, data: c.data });

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
      if (c.kind !== 'scenario' || !c.scenario.startsWith('submission:')) return;
      // A student's scenario must not be able to tell its variants apart: they differ only in faults.
      const first = e.checks.find((x): x is ScenarioCheck => x.kind === 'scenario' && x.scenario === c.scenario)!;
      if (first !== c && !sameMeaning(childInputs(first), childInputs(c))) {
        ctx.addIssue({ code: 'custom', path: ['checks', i], message: `runs ${c.scenario} like check "${first.id}" but with another topology, flannel, setup or data: variants of a student's scenario may differ only in faults` });
      }
      // "Must fail" means something only for a scenario that passes on the correct simulation.
      if (c.expect === 'fail') {
        const passing = e.checks.filter((x) => x.kind === 'scenario' && x.scenario === c.scenario && x.expect === 'pass').map((x) => x.id);
        if (!c.requires.some((r) => passing.includes(r))) {
          ctx.addIssue({ code: 'custom', path: ['checks', i, 'requires'], message: `must require a check where ${c.scenario} is expected to pass (${passing.join(', ') || 'there is none'})` });
        }
      }
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
  const issues = r.data.checks.flatMap((c, i) => {
    if (c.kind !== 'scenario') return [];
    const missing = [c.scenario, c.topology, c.flannel, ...c.data]
      .filter((f): f is string => f !== undefined && !f.startsWith('submission:') && !existsSync(join(abs, f)))
      .map((f) => ({ path: `checks.${i}`, message: `no file ${f} in ${abs}` }));
    if (missing.length || c.topology.startsWith('submission:') || c.faults.length === 0) return missing;
    // Faults name workers, clusters and pods of the exercise's own topology: they must exist.
    try {
      const topology = planTopology(readJsonInput(join(abs, c.topology)), { source: c.topology, baseDir: abs });
      return faultIssues(c.faults, topology).map((message) => ({ path: `checks.${i}`, message }));
    } catch (e) {
      return [{ path: `checks.${i}.topology`, message: (e as Error).message }];
    }
  });
  if (!existsSync(join(abs, r.data.instructions))) issues.push({ path: 'instructions', message: `no file ${r.data.instructions}` });
  if (issues.length) throw new ValidationError(file, issues);
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
