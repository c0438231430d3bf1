import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { mapLimit } from '../model/concurrency.ts';
import type { Check, Exercise } from './exercise.ts';
import { round2, type CheckResult, type ExerciseResult, type StudentResult } from './results.ts';
import { runScenario } from './scenario-run.ts';
import { readSubmissionFile, type FileRead } from './submission-file.ts';

export interface GradeOptions {
  exercises: readonly Exercise[];
  /** One sub-folder per student. */
  submissionsDir: string;
  /** Pages, grades.csv and each check's work folder (logs, results) go here. */
  outDir: string;
  /** How many students are graded at once. */
  parallel: number;
  /** Time limit of each child process (one scenario run). */
  timeoutMs: number;
  onProgress?: (line: string) => void;
  /** How a scenario check runs (tests replace it); default: a vitest child process. */
  runner?: typeof runScenario;
}

/** The students: every sub-folder of the submissions folder, sorted. */
export function listStudents(submissionsDir: string): string[] {
  return readdirSync(submissionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

export function slugOf(student: string): string {
  return student.replace(/[^\w.-]/g, '_').slice(0, 64) || '_';
}

/** Grades every student, `parallel` at a time. One student's failure never affects another's grade. */
export async function gradeAll(o: GradeOptions): Promise<StudentResult[]> {
  const students = listStudents(o.submissionsDir);
  return mapLimit(students, Math.max(1, o.parallel), async (student) => {
    const r = await gradeStudent(o, student);
    o.onProgress?.(`${student}: ${r.earned}/${r.total}${r.error ? ` (error: ${r.error})` : ''}`);
    return r;
  });
}

export async function gradeStudent(o: GradeOptions, student: string): Promise<StudentResult> {
  const started = Date.now();
  const slug = slugOf(student);
  const total = round2(o.exercises.reduce((n, e) => n + e.totalPoints, 0));
  const exercises: ExerciseResult[] = [];
  try {
    for (const ex of o.exercises) exercises.push(await gradeExercise(o, student, slug, ex));
  } catch (e) {
    // A bug of the grader (never a bad submission): the student keeps what was graded.
    return { student, slug, earned: sum(exercises), total, durationMs: Date.now() - started, exercises, error: (e as Error).message };
  }
  return { student, slug, earned: sum(exercises), total, durationMs: Date.now() - started, exercises };
}

const sum = (xs: readonly { earned: number }[]) => round2(xs.reduce((n, x) => n + x.earned, 0));

async function gradeExercise(o: GradeOptions, student: string, slug: string, ex: Exercise): Promise<ExerciseResult> {
  // Each exercise's files are in the student's folder, under the exercise's id.
  const dir = join(o.submissionsDir, student, ex.id);
  const files = new Map<string, FileRead>(Object.entries(ex.files).map(([name, spec]) => [name, readSubmissionFile(dir, name, spec)]));
  const done = new Map<string, CheckResult>();
  for (const check of ex.checks) {
    const unmet = check.requires.filter((r) => !done.get(r)?.passed);
    const result = unmet.length
      ? fail(check, `not tried: needs ${unmet.map((u) => `"${done.get(u)?.title ?? u}"`).join(', ')} to pass first`)
      : await runCheck(o, ex, check, files, join(o.outDir, 'work', slug, ex.id, check.id));
    done.set(check.id, result);
  }
  const checks = [...done.values()];
  return { id: ex.id, title: ex.title, chapter: ex.chapter, earned: sum(checks), total: ex.totalPoints, checks };
}

function fail(c: Check, detail: string, evidence?: string): CheckResult {
  return { id: c.id, title: c.title, kind: c.kind, points: c.points, earned: 0, passed: false, detail, hint: c.hint, ...(evidence ? { evidence } : {}) };
}
function pass(c: Check, detail: string, evidence?: string): CheckResult {
  return { id: c.id, title: c.title, kind: c.kind, points: c.points, earned: c.points, passed: true, detail, hint: c.hint, ...(evidence ? { evidence } : {}) };
}

async function runCheck(o: GradeOptions, ex: Exercise, c: Check, files: Map<string, FileRead>, workDir: string): Promise<CheckResult> {
  switch (c.kind) {
    case 'valid': {
      const f = files.get(c.file)!;
      return f.ok ? pass(c, `${c.file} is valid`) : fail(c, f.reason);
    }
    case 'equals': {
      const f = files.get(c.file)!;
      if (!f.ok) return fail(c, f.reason);
      const got = c.field ? c.field.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), f.value) : f.value;
      const norm = (v: unknown) => (c.caseInsensitive && typeof v === 'string' ? v.trim().toLowerCase() : v);
      const same = JSON.stringify(norm(got)) === JSON.stringify(norm(c.value));
      const where = c.field ? `${c.file} ${c.field}` : c.file;
      if (got === undefined) return fail(c, `${where} is not given`);
      return same ? pass(c, `${where} is ${JSON.stringify(got)}`) : fail(c, `${where} is ${JSON.stringify(got)}, which is not right`);
    }
    case 'scenario':
      return runScenarioCheck(o, ex, c, files, workDir);
  }
}

/** Where a `submission:NAME` or exercise path resolves: the validated submission file, or the exercise's. */
function source(ex: Exercise, files: Map<string, FileRead>, ref: string): { ok: true; path: string; value?: unknown } | { ok: false; reason: string } {
  if (!ref.startsWith('submission:')) return { ok: true, path: join(ex.dir, ref) };
  const f = files.get(ref.slice('submission:'.length))!;
  return f.ok ? { ok: true, path: f.path, value: f.value } : { ok: false, reason: f.reason };
}

async function runScenarioCheck(
  o: GradeOptions,
  ex: Exercise,
  c: Extract<Check, { kind: 'scenario' }>,
  files: Map<string, FileRead>,
  workDir: string,
): Promise<CheckResult> {
  const scenario = source(ex, files, c.scenario);
  const topo = source(ex, files, c.topology);
  const flannel = c.flannel ? source(ex, files, c.flannel) : undefined;
  for (const s of [scenario, topo, flannel]) if (s && !s.ok) return fail(c, s.reason);
  if (!scenario.ok || !topo.ok || (flannel && !flannel.ok)) return fail(c, 'unreachable');

  // The child sees copies only: its scenario alone in a folder (vitest's root), one topology file.
  const root = join(workDir, 'scenario');
  mkdirSync(root, { recursive: true });
  copyFileSync(scenario.path, join(root, c.scenario.startsWith('submission:') ? 'student.test.ts' : 'check.test.ts'));
  for (const ref of c.data) {
    const d = source(ex, files, ref);
    if (!d.ok) return fail(c, d.reason);
    copyFileSync(d.path, join(root, basename(d.path)));
  }
  const topology = (topo.value ?? JSON.parse(readFileSync(topo.path, 'utf8'))) as Record<string, unknown>;
  if (flannel?.ok) {
    topology.flannel = flannel.value ?? JSON.parse(readFileSync(flannel.path, 'utf8'));
    if (Array.isArray(topology.clusters)) topology.clusters = topology.clusters.map((cl: Record<string, unknown>) => ({ ...cl, flannel: undefined }));
  }
  const topologyFile = join(workDir, 'topology.json');
  writeFileSync(topologyFile, JSON.stringify(topology, null, 2));

  const r = await (o.runner ?? runScenario)({ root, workDir, topologyFile, faults: c.faults, timeoutMs: o.timeoutMs });
  const evidence = relative(o.outDir, r.logFile);
  const broken = c.faults.length || c.flannel ? ' (deliberately broken)' : '';
  if (c.expect === 'pass') {
    return r.outcome === 'passed' ? pass(c, `passed against ${c.topology}: ${r.reason}`, evidence) : fail(c, `should pass but ${r.outcome}: ${r.reason}`, evidence);
  }
  if (r.outcome === 'failed' && !r.simStarted) return fail(c, `the simulation did not come up, so nothing was learnt (not the student's fault; re-grade): ${r.reason}`, evidence);
  if (r.outcome === 'failed') return pass(c, `failed as it should on the broken simulation${broken}: ${r.reason}`, evidence);
  return fail(c, r.outcome === 'passed' ? `passed on a broken simulation${broken}: it does not notice the fault` : `should fail on the broken simulation, but ${r.outcome}: ${r.reason}`, evidence);
}
