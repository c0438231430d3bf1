import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mapLimit } from '../model/concurrency.ts';
import { runCheckScenario, type CheckRunner } from './check-run.ts';
import { dataCheck } from './data-checks.ts';
import type { Check, Exercise, ScenarioCheck } from './exercise.ts';
import { judgeScenario } from './judge.ts';
import { round2, type CheckResult, type ExerciseResult, type StudentResult } from './results.ts';
import { readSubmissionFile, type FileRead } from './submission-file.ts';

export interface GradeOptions {
  exercises: readonly Exercise[];
  /** One sub-folder per student. */
  submissionsDir: string;
  /** Only these students (default: every folder). */
  students?: readonly string[];
  /** Each scenario check's log is written to work/<slug>/<exercise>/<check>.log here, once its child has ended. */
  outDir: string;
  /** How many students are graded at once. */
  parallel: number;
  /** Time limit of each child process (one scenario run). */
  timeoutMs: number;
  onProgress?: (line: string) => void;
  /** How a scenario check runs (tests replace it); default: a sandboxed vitest child. */
  runner?: CheckRunner;
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

/** Grades the students, `parallel` at a time. One student's failure never affects another's grade. */
export async function gradeAll(o: GradeOptions): Promise<StudentResult[]> {
  const students = o.students ?? listStudents(o.submissionsDir);
  return mapLimit(students, Math.max(1, o.parallel), async (student) => {
    const r = await gradeStudent(o, student);
    o.onProgress?.(`${student}: ${r.earned}/${r.total}${r.error ? ` (error: ${r.error})` : ''}`);
    return r;
  });
}

export async function gradeStudent(o: GradeOptions, student: string): Promise<StudentResult> {
  const started = Date.now();
  const gradedAt = new Date(started).toISOString();
  const slug = slugOf(student);
  const total = round2(o.exercises.reduce((n, e) => n + e.totalPoints, 0));
  const exercises: ExerciseResult[] = [];
  try {
    for (const ex of o.exercises) exercises.push(await gradeExercise(o, student, slug, ex));
  } catch (e) {
    // A bug of the grader (never a bad submission): the student keeps what was graded.
    return { student, slug, earned: sum(exercises), total, durationMs: Date.now() - started, gradedAt, exercises, error: (e as Error).message };
  }
  return { student, slug, earned: sum(exercises), total, durationMs: Date.now() - started, gradedAt, exercises };
}

const sum = (xs: readonly { earned: number }[]) => round2(xs.reduce((n, x) => n + x.earned, 0));
const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => `"${x}"`).join(', ') : 'nothing');

/** Folder names close to `want` (case, separators, a prefix): likely misnamings. */
function nearMisses(want: string, have: readonly string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const chapter = /^ch\d+/.exec(want)?.[0];
  return have.filter((h) => norm(h) === norm(want) || (chapter !== undefined && norm(h).startsWith(chapter)));
}

async function gradeExercise(o: GradeOptions, student: string, slug: string, ex: Exercise): Promise<ExerciseResult> {
  // Each exercise's files are in the student's folder, under the exercise's id.
  const home = join(o.submissionsDir, student);
  const dir = join(home, ex.id);
  let note: string | undefined;
  let files: Map<string, FileRead>;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const have = existsSync(home) ? readdirSync(home).filter((d) => !d.startsWith('.')) : [];
    const near = nearMisses(ex.id, have);
    note = `no folder "${ex.id}" in ${student}'s submission (${near.length ? `misnamed? found ${list(near)}` : `it has ${list(have)}`})`;
    files = new Map(Object.keys(ex.files).map((name) => [name, { ok: false, unreadable: true, reason: `${name} is missing: ${note}`, issues: [] }]));
  } else {
    files = new Map(Object.entries(ex.files).map(([name, spec]) => [name, readSubmissionFile(dir, name, spec)]));
    const have = readdirSync(dir);
    for (const [name, f] of files) {
      if (!f.ok && f.reason === `${name} is missing`) files.set(name, { ...f, reason: `${name} is missing from ${student}/${ex.id} (it has ${list(have)})` });
    }
  }
  const done = new Map<string, CheckResult>();
  for (const check of ex.checks) {
    const unmet = check.requires.filter((r) => done.get(r)?.status !== 'passed');
    const ungraded = unmet.filter((r) => done.get(r)?.status === 'not-graded');
    const names = (ids: string[]) => ids.map((u) => `"${done.get(u)?.title ?? u}"`).join(', ');
    const result = ungraded.length
      ? result0(check, 'not-graded', `not graded: it waits for ${names(ungraded)}, which could not be graded`)
      : unmet.length
        ? result0(check, 'not-tried', `not tried: needs ${names(unmet)} to pass first`)
        : await runCheck(o, ex, check, files, { slug, student });
    done.set(check.id, result);
  }
  const checks = [...done.values()];
  return { id: ex.id, title: ex.title, chapter: ex.chapter, earned: sum(checks), total: ex.totalPoints, ...(note ? { note } : {}), checks };
}

function result0(c: Check, status: CheckResult['status'], detail: string, extra: Partial<CheckResult> = {}): CheckResult {
  const passed = status === 'passed';
  // A hint helps with what was tried and went wrong; a check not tried or not graded gets none.
  const hint = status === 'failed' || status === 'timeout' ? { hint: c.hint } : {};
  return { id: c.id, title: c.title, kind: c.kind, points: c.points, earned: passed ? c.points : 0, status, passed, detail, ...hint, ...extra };
}

async function runCheck(o: GradeOptions, ex: Exercise, c: Check, files: Map<string, FileRead>, who: { slug: string; student: string }): Promise<CheckResult> {
  if (c.kind !== 'scenario') {
    const v = dataCheck(c, files.get(c.file)!);
    return result0(c, v.passed ? 'passed' : 'failed', v.detail);
  }
  return runScenarioCheck(o, ex, c, files, who);
}

/** Where a `submission:NAME` or exercise path resolves: the validated submission file, or the exercise's. */
function source(ex: Exercise, files: Map<string, FileRead>, ref: string): { ok: true; path: string; value?: unknown } | { ok: false; reason: string } {
  if (!ref.startsWith('submission:')) return { ok: true, path: join(ex.dir, ref) };
  const f = files.get(ref.slice('submission:'.length))!;
  return f.ok ? { ok: true, path: f.path!, value: f.value } : { ok: false, reason: f.reason };
}

async function runScenarioCheck(o: GradeOptions, ex: Exercise, c: ScenarioCheck, files: Map<string, FileRead>, who: { slug: string; student: string }): Promise<CheckResult> {
  const refs = [c.scenario, c.topology, ...(c.flannel ? [c.flannel] : []), ...c.data];
  const sources = refs.map((ref) => source(ex, files, ref));
  const bad = sources.find((s) => !s.ok);
  if (bad && !bad.ok) return result0(c, 'failed', bad.reason);
  const [scenario, topo, ...rest] = sources as { ok: true; path: string; value?: unknown }[];
  const flannel = c.flannel ? rest.shift() : undefined;
  const data = rest;
  const topology = structuredClone((topo!.value ?? JSON.parse(readFileSync(topo!.path, 'utf8'))) as Record<string, unknown>);
  // The child gets the topology whole: a flannel config named by file (the exercise's own) goes inline.
  const inline = (v: unknown) => (typeof v === 'string' ? JSON.parse(readFileSync(join(ex.dir, dirname(c.topology), v), 'utf8')) : v);
  if (!c.topology.startsWith('submission:')) {
    topology.flannel = inline(topology.flannel);
    if (Array.isArray(topology.clusters)) topology.clusters = topology.clusters.map((cl: Record<string, unknown>) => (cl.flannel === undefined ? cl : { ...cl, flannel: inline(cl.flannel) }));
  }
  if (flannel) {
    topology.flannel = flannel.value ?? JSON.parse(readFileSync(flannel.path, 'utf8'));
    if (Array.isArray(topology.clusters)) topology.clusters = topology.clusters.map((cl: Record<string, unknown>) => ({ ...cl, flannel: undefined }));
  }
  const studentScenario = c.scenario.startsWith('submission:');
  const run = await (o.runner ?? runCheckScenario)({
    scenario: { name: studentScenario ? 'student.test.ts' : 'check.test.ts', text: readFileSync(scenario!.path, 'utf8') },
    data: data.map((d) => ({ name: basename(d.path), text: readFileSync(d.path, 'utf8') })),
    topology,
    setup: c.setup ?? { services: [] },
    faults: c.faults,
    timeoutMs: o.timeoutMs,
    hide: [o.submissionsDir, o.outDir],
  });
  // The log is the grader's copy of the child's output, written once the child has ended.
  const evidence = join('work', who.slug, ex.id, `${c.id}.log`);
  mkdirSync(join(o.outDir, 'work', who.slug, ex.id), { recursive: true });
  writeFileSync(join(o.outDir, evidence), run.log);
  const broken = c.faults.map((f) => Object.values(f).join(' ')).join(', ') || 'no fault';
  const v = judgeScenario(c.expect, run, {
    studentScenario,
    studentInputs: c.topology.startsWith('submission:') || (c.flannel?.startsWith('submission:') ?? false),
    broken,
    timeoutS: Math.round(o.timeoutMs / 1000),
  });
  return result0(c, v.status, v.detail, { evidence, durationMs: run.durationMs });
}
