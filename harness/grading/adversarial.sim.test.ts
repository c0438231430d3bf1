// Adversarial submissions (fixtures/adversarial) graded by a real `knetsim grade` run on the
// chapter 2 exercise: a scenario that asserts nothing, one that calls process.exit(0), one
// that never returns, one that sniffs for the variant, one that writes (and reads) where it
// must not. Their exact scores, and that nothing was written outside the output.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { readGradesFile } from './output/grades-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/adversarial/', import.meta.url));
const work = mkdtempSync('/tmp/kga-');
const tmp = join(work, 'tmp');
const exercises = join(work, 'exercises');
const submissions = join(work, 'submissions');
const out = join(ROOT, 'reports/grading-adversarial');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUDENTS = ['always-pass', 'exits', 'loops', 'sniffer', 'writer'];
/**
 * The time limit per scenario run. Honest runs took 12–17 s here with the machine's two
 * cores loaded by four test shards at once; the endless loop costs the whole limit, which is
 * most of this file's time (it took 95 s at 90).
 */
const TIMEOUT_S = 45;

describe('knetsim grade on adversarial submissions', () => {
  test('exact scores; no variant leaks; nothing written outside the output', { timeout: 900_000 }, async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    cpSync(join(ROOT, 'exercises/ch2-pod-to-pod'), join(exercises, 'ch2-pod-to-pod'), { recursive: true });
    const paths: Record<string, string> = { __OUT__: out, __SUBMISSIONS__: submissions, __EXERCISES__: exercises, __REPO__: ROOT.replace(/\/$/, '') };
    for (const s of STUDENTS) {
      mkdirSync(join(submissions, s, 'ch2-pod-to-pod'), { recursive: true });
      const text = readFileSync(join(FIXTURES, `${s}.test.ts.tmpl`), 'utf8').replace(/__[A-Z]+__/g, (k) => paths[k] ?? k);
      writeFileSync(join(submissions, s, 'ch2-pod-to-pod', 'vxlan.test.ts'), text);
    }
    const before = { check: readFileSync(join(exercises, 'ch2-pod-to-pod/checks/flannel-works.test.ts'), 'utf8'), victim: readFileSync(join(submissions, 'always-pass/ch2-pod-to-pod/vxlan.test.ts'), 'utf8') };

    const t0 = Date.now();
    const run = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/knetsim.js'), 'grade', '--submissions', submissions, '--exercises', exercises, '--out', out, '--parallel', '2', '--timeout', String(TIMEOUT_S)],
      { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, timeout: 880_000 },
    );
    console.log(`graded the adversarial submissions in ${Math.round((Date.now() - t0) / 1000)} s`);
    expect(run.stdout).toMatch(/writer: 5\/18/);

    const g = readGradesFile(out);
    const checks = (s: string) => Object.fromEntries(g.students.find((r) => r.student === s)!.exercises[0]!.checks.filter((c) => c.kind === 'scenario').map((c) => [c.id, c.status]));
    expect(Object.fromEntries(g.students.map((r) => [r.student, r.earned]))).toEqual({ 'always-pass': 3, exits: 0, loops: 0, sniffer: 5, writer: 5 });
    // Asserting nothing passes on the correct simulation and catches no fault.
    expect(checks('always-pass')).toMatchObject({ 'scenario-passes': 'passed', 'scenario-catches-wrong-vni': 'failed', 'scenario-catches-cut-link': 'failed' });
    expect(checks('exits')['scenario-passes']).toBe('failed');
    // The endless loop is killed at the time limit and flagged as such.
    expect(checks('loops')).toMatchObject({ 'scenario-passes': 'timeout', 'scenario-catches-wrong-vni': 'not-tried' });
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toMatch(/^loops,0,0,18,0,timeout:1$/m);
    // The sniffer found nothing to tell the variants apart: it passed on the wire-VNI one (no
    // network test notices that) and failed only where its ping did.
    expect(checks('sniffer')).toMatchObject({ 'scenario-passes': 'passed', 'scenario-catches-wrong-vni': 'failed', 'scenario-catches-cut-link': 'passed' });
    const cut = g.students.find((r) => r.student === 'sniffer')!.exercises[0]!.checks.find((c) => c.id === 'scenario-catches-cut-link')!;
    expect(cut.detail).toMatch(/toReach/);
    // The writer could read no other student's work (else its own test would have failed) …
    expect(checks('writer')).toMatchObject({ 'scenario-passes': 'passed', 'scenario-catches-cut-link': 'passed' });
    // … and wrote nowhere: the output holds only what grading wrote, everything else is as it was.
    expect(readdirSync(out).sort()).toEqual(['.knetsim-grading', 'canvas.csv', 'checks.csv', 'grades.csv', 'grades.json', 'index.html', 'moodle.csv', 'students', 'work']);
    expect(readdirSync(join(out, 'students')).sort()).toEqual(STUDENTS.map((s) => `${s}.html`));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).not.toContain('pwned');
    expect(readFileSync(join(exercises, 'ch2-pod-to-pod/checks/flannel-works.test.ts'), 'utf8')).toBe(before.check);
    expect(readFileSync(join(submissions, 'always-pass/ch2-pod-to-pod/vxlan.test.ts'), 'utf8')).toBe(before.victim);
    expect(readdirSync(join(submissions, 'writer/ch2-pod-to-pod'))).toEqual(['vxlan.test.ts']);
    for (const p of [join(ROOT, 'PWNED-by-writer'), '/etc/knetsim-pwned', '/var/tmp/knetsim-pwned', '/dev/shm/knetsim-pwned']) expect(existsSync(p), p).toBe(false);
    expect(readdirSync(tmp).filter((d) => d.startsWith('knetsim-sandbox-'))).toEqual([]);
  });
});
