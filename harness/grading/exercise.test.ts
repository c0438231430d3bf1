import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { dataCheck } from './data-checks.ts';
import { CheckSchema, loadExercise, loadExercises } from './exercise.ts';
import { readSubmissionFile } from './submission-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'knetsim-grading-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function exerciseDir(name: string, spec: Record<string, unknown>): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'topologies'), { recursive: true });
  writeFileSync(join(dir, 'instructions.md'), '# x');
  writeFileSync(join(dir, 'topologies/t.json'), JSON.stringify({ flannel: { Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan' } }, clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }] }] }));
  writeFileSync(join(dir, 'exercise.json'), JSON.stringify({ id: 'x', chapter: 1, title: 't', instructions: 'instructions.md', ...spec }));
  return dir;
}
const scenario = (id: string, extra: Record<string, unknown>) => ({ id, kind: 'scenario', scenario: 'submission:s.test.ts', topology: 'topologies/t.json', points: 1, title: 't', hint: 'h', ...extra });

describe('exercises', () => {
  test('the shipped exercises load, chapter by chapter, with their totals', () => {
    const ex = loadExercises(join(ROOT, 'exercises'));
    expect(ex.map((e) => [e.id, e.chapter, e.totalPoints])).toEqual([
      ['ch1-workers-and-containers', 1, 11],
      ['ch2-pod-to-pod', 2, 18],
      ['ch3-services', 3, 17],
      ['ch4-multicluster', 4, 15],
    ]);
    expect(ex.every((e) => e.instructionsText.startsWith('# Chapter'))).toBe(true);
  });

  test('a bad exercise.json is rejected naming the field', () => {
    const dir = exerciseDir('bad-ex', {
      files: { 'a.json': { schema: 'answers', fields: { v: 'integer' } } },
      checks: [
        { id: 'a', kind: 'equals', file: 'b.json', field: 'v', value: 1, points: -1, title: 't', hint: 'h' },
        { id: 'b', kind: 'valid', file: 'a.json', points: 1, title: 't', hint: 'h', requires: ['zzz'] },
      ],
    });
    expect(() => loadExercise(dir)).toThrow(/checks\.0\.points[\s\S]*checks\.0: b\.json is not among[\s\S]*checks\.1\.requires: "zzz" is not an earlier check/);
  });

  test("variants of a student's scenario may differ only in faults, and a must-fail check requires its passing twin", () => {
    const dir = exerciseDir('variants', {
      files: { 's.test.ts': { schema: 'scenario' } },
      checks: [
        scenario('ok', { expect: 'pass' }),
        scenario('other-topology', { expect: 'fail', requires: ['ok'], setup: { services: [{ cluster: 'C0', name: 'web', port: 80, pods: ['c1'] }] } }),
        scenario('unrequired', { expect: 'fail', faults: [{ kind: 'link-down', worker: 'C0w2' }] }),
        scenario('bad-fault', { expect: 'fail', requires: ['ok'], faults: [{ kind: 'link-down', worker: 'C9w9' }] }),
      ],
    });
    expect(() => loadExercise(dir)).toThrow(
      /checks\.1: runs submission:s\.test\.ts like check "ok" but with another topology, flannel, setup or data[\s\S]*checks\.2\.requires: must require a check where submission:s\.test\.ts is expected to pass \(ok\)/,
    );
    const dir2 = exerciseDir('variants2', { files: { 's.test.ts': { schema: 'scenario' } }, checks: [scenario('ok', { expect: 'pass' }), scenario('bad-fault', { expect: 'fail', requires: ['ok'], faults: [{ kind: 'link-down', worker: 'C9w9' }] })] });
    expect(() => loadExercise(dir2)).toThrow(/checks\.1: faults\.0\.worker: no worker "C9w9" in the topology \(C0w1, C0w2\)/);
  });
});

describe('submission files, field by field', () => {
  const dir = join(tmp, 'student');
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const check = (c: Record<string, unknown>) => CheckSchema.parse({ id: 'c', points: 1, title: 't', hint: 'h', ...c }) as Exclude<ReturnType<typeof CheckSchema.parse>, { kind: 'scenario' }>;

  test('malformed, missing and oversized files say why, never throw', () => {
    put('a.json', '{"vni": 1,');
    put('big.json', `"${'x'.repeat(300_000)}"`);
    const answers = { schema: 'answers', fields: { vni: 'integer' } } as const;
    expect(readSubmissionFile(dir, 'a.json', answers)).toMatchObject({ ok: false, unreadable: true, reason: expect.stringMatching(/^a\.json is not valid JSON/) });
    expect(readSubmissionFile(dir, 'nope.json', answers)).toMatchObject({ ok: false, reason: 'nope.json is missing' });
    expect(readSubmissionFile(dir, 'big.json', answers)).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 262144 allowed/) });
  });

  test('one wrong or unknown answer costs only its own check, with its own error', () => {
    put('b.json', '{"vni": "100", "port": 8472, "extra": 1}');
    const f = readSubmissionFile(dir, 'b.json', { schema: 'answers', fields: { vni: 'integer', port: 'integer', dev: 'string' } });
    expect(f).toMatchObject({ ok: false, reason: 'b.json: vni: Expected number, received string; extra: unknown field' });
    expect(dataCheck(check({ kind: 'equals', file: 'b.json', field: 'vni', value: 100 }), f)).toEqual({ passed: false, detail: 'b.json: vni: Expected number, received string' });
    expect(dataCheck(check({ kind: 'equals', file: 'b.json', field: 'port', value: 8472 }), f)).toEqual({ passed: true, detail: 'b.json port is 8472' });
    expect(dataCheck(check({ kind: 'equals', file: 'b.json', field: 'dev', value: 'x' }), f)).toEqual({ passed: false, detail: 'b.json dev is not given' });
    expect(dataCheck(check({ kind: 'valid', file: 'b.json' }), f).passed).toBe(false);
  });

  test('schema files: a field is judged by its own issues (a parent issue counts, a sibling does not)', () => {
    put('f.json', JSON.stringify({ Network: '12.40.0.0/16', SubnetLen: '24', Backend: { Type: 'vxlan', VNI: 42, Port: 4789, Colour: 'red' } }));
    const f = readSubmissionFile(dir, 'f.json', { schema: 'flannel-config' });
    expect(f.ok).toBe(false);
    expect(dataCheck(check({ kind: 'equals', file: 'f.json', field: 'SubnetLen', value: 24 }), f).detail).toBe('f.json: SubnetLen: Expected number, received string');
    expect(dataCheck(check({ kind: 'equals', file: 'f.json', field: 'Backend.VNI', value: 42 }), f)).toEqual({ passed: true, detail: 'f.json Backend.VNI is 42' });
    expect(dataCheck(check({ kind: 'equals', file: 'f.json', field: 'Backend.Colour', value: 'red' }), f).detail).toBe('f.json: Backend.Colour: unknown field');
    put('t.json', JSON.stringify({ flannel: { Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan' } }, clusters: [{ name: 'C0', workers: 'w1 w2', pods: [{ worker: 'w2', name: 'c10' }] }] }));
    const t = readSubmissionFile(dir, 't.json', { schema: 'topology' });
    expect(dataCheck(check({ kind: 'equals', file: 't.json', field: 'clusters.0.workers', value: ['w1'] }), t).detail).toMatch(/^t\.json: clusters\.0\.workers: Expected array/);
    // Key order never matters.
    expect(dataCheck(check({ kind: 'equals', file: 't.json', field: 'clusters.0.pods', value: [{ name: 'c10', worker: 'w2' }] }), t).passed).toBe(true);
  });

  test('a topology must give flannel inline and stay small', () => {
    put('t1.json', JSON.stringify({ flannel: '/etc/shadow', clusters: [{ name: 'C0', workers: ['w1'] }] }));
    expect(readSubmissionFile(dir, 't1.json', { schema: 'topology' })).toMatchObject({ ok: false, reason: expect.stringMatching(/inline/) });
    const flannel = { Network: '11.0.0.0/8', SubnetLen: 20, Backend: { Type: 'vxlan' } };
    put('t2.json', JSON.stringify({ flannel, clusters: [{ name: 'C0', workers: ['w1', 'w2', 'w3', 'w4', 'w5'] }] }));
    expect(readSubmissionFile(dir, 't2.json', { schema: 'topology' })).toMatchObject({ ok: false, reason: 't2.json asks for 5 workers; at most 4' });
  });

  test("router configs go through the router's own parser; with one bad entity the valid ones still count", () => {
    put('r.json', JSON.stringify([
      ['router', { id: 'C1', mode: 'interior' }],
      ['connector', { name: 'x', role: 'normal', host: '10.0.0.1', port: 55671 }],
      ['tcpListener', { name: 'b', port: '1028', address: 'backend:80' }],
    ]));
    const f = readSubmissionFile(dir, 'r.json', { schema: 'router-config' });
    expect(f).toMatchObject({ ok: false, reason: expect.stringMatching(/connector "x"\.role: only inter-router and edge connectors/) });
    // "1028" is a port to skrouterd: the parser made it 1028 before any comparison.
    expect(dataCheck(check({ kind: 'includes', file: 'r.json', field: 'tcpListeners', value: { port: 1028, address: 'backend:80' } }), f).passed).toBe(true);
    expect(dataCheck(check({ kind: 'includes', file: 'r.json', field: 'connectors', value: { role: 'inter-router' } }), f).detail).toMatch(/no entry of r\.json connectors is right \(it has 0: \[\]\); not counted, because invalid: connector "x"\.role/);
    expect(dataCheck(check({ kind: 'equals', file: 'r.json', field: 'router.mode', value: 'interior' }), f).passed).toBe(true);
  });

  test('a cross-cluster service names its field and reason', () => {
    put('e.json', JSON.stringify({ name: 'Back End', port: 80, from: 'C0', to: ['C0'], listenPort: 55671 }));
    expect(readSubmissionFile(dir, 'e.json', { schema: 'cross-cluster-expose' })).toMatchObject({
      ok: false,
      reason: 'e.json: name: must be a DNS label; listenPort: is a port the router itself uses (55671, 5672, 9090); to.0: C0 is the serving cluster itself',
    });
  });
});
