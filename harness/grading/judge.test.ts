import { describe, expect, test } from 'vitest';
import type { CheckRunResult } from './check-run.ts';
import { judgeScenario } from './judge.ts';

const run = (o: Partial<CheckRunResult>): CheckRunResult => ({
  outcome: 'passed', reason: 'r', junit: undefined, durationMs: 1, log: '', simStarting: true, simUp: true, faultsApplied: true, infraError: undefined, ...o,
});
const student = { studentScenario: true, studentInputs: false, broken: 'link-down C0w2', timeoutS: 60 };

describe('judging a scenario run', () => {
  test("a student's scenario: pass needs the simulation; fail needs the simulation up and the fault applied", () => {
    expect(judgeScenario('pass', run({}), student).status).toBe('passed');
    expect(judgeScenario('pass', run({ simStarting: false, simUp: false }), student)).toMatchObject({ status: 'failed', detail: expect.stringMatching(/without building the simulation/) });
    expect(judgeScenario('fail', run({ outcome: 'failed' }), student).status).toBe('passed');
    expect(judgeScenario('fail', run({}), student).detail).toMatch(/does not notice the fault/);
    expect(judgeScenario('fail', run({ outcome: 'failed', simStarting: false, simUp: false }), student).status).toBe('failed');
    expect(judgeScenario('fail', run({ outcome: 'error', simUp: false, simStarting: false }), student).status).toBe('failed');
  });
  test('time-outs are flagged; what is not the student\'s doing is not graded', () => {
    expect(judgeScenario('fail', run({ outcome: 'timeout' }), student).status).toBe('timeout');
    expect(judgeScenario('pass', run({ outcome: 'failed', simUp: false }), student).status).toBe('not-graded');
    expect(judgeScenario('fail', run({ outcome: 'failed', infraError: 'the sandbox failed: x' }), student).status).toBe('not-graded');
    // The student's own topology that does not start is the student's.
    expect(judgeScenario('pass', run({ outcome: 'failed', simUp: false }), { ...student, studentScenario: false, studentInputs: true }).status).toBe('failed');
    expect(judgeScenario('pass', run({ outcome: 'error', simStarting: false, simUp: false }), { ...student, studentScenario: false }).status).toBe('not-graded');
  });
});
