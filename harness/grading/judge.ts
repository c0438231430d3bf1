import type { CheckRunResult } from './check-run.ts';
import type { CheckStatus } from './results.ts';

/**
 * What one scenario run says about the student. `studentScenario`: the scenario is the
 * student's; `studentInputs`: the topology or flannel config it ran is the student's (so a
 * simulation that does not start is the student's doing).
 */
export function judgeScenario(
  expect: 'pass' | 'fail',
  run: CheckRunResult,
  o: { studentScenario: boolean; studentInputs: boolean; broken: string; timeoutS: number },
): { status: CheckStatus; detail: string } {
  const fail = (detail: string) => ({ status: 'failed' as const, detail });
  if (run.outcome === 'timeout') return { status: 'timeout', detail: `killed at the time limit (${o.timeoutS} s): ${run.reason}` };
  if (run.infraError) return { status: 'not-graded', detail: `not graded, not the student's fault (re-grade): ${run.infraError}` };
  const simFailed = run.simStarting && !run.simUp;
  if (run.outcome !== 'passed' && simFailed && !o.studentInputs) {
    return { status: 'not-graded', detail: `not graded, not the student's fault (re-grade): the simulation of the exercise's topology did not come up: ${run.reason}` };
  }
  if (!o.studentScenario && run.outcome === 'error' && !run.simStarting && !o.studentInputs) {
    return { status: 'not-graded', detail: `not graded, not the student's fault (re-grade): the exercise's check did not run: ${run.reason}` };
  }
  if (expect === 'pass') {
    if (run.outcome !== 'passed') return fail(`should pass on a correct simulation but ${run.outcome === 'failed' ? 'failed' : 'did not run'}: ${run.reason}`);
    if (o.studentScenario && !run.simUp) return fail('passed without building the simulation: it tests nothing (use the `sim` the test gets from knetsim/testing)');
    return { status: 'passed', detail: `passed on a correct simulation: ${run.reason}` };
  }
  if (run.outcome === 'passed') {
    return fail(run.simUp ? `passed on the broken simulation (${o.broken}): it does not notice the fault` : 'passed without building the simulation: it tests nothing');
  }
  if (run.outcome === 'error') return fail(`should fail because of the fault (${o.broken}), but did not run: ${run.reason}`);
  if (!run.simUp) return fail(`failed before the simulation was up, so it caught nothing: ${run.reason}`);
  if (!run.faultsApplied) return { status: 'not-graded', detail: `not graded, not the student's fault (re-grade): the fault was not applied` };
  return { status: 'passed', detail: `failed, as it should, on the broken simulation (${o.broken}): ${run.reason}` };
}
