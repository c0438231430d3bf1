import { z } from 'zod';
import type { Simulation } from '../model/simulation.ts';
import { run } from '../sys/exec.ts';
import { jsonFromEnv } from '../sys/validation.ts';

/**
 * Deliberate breakage applied to a simulation once it is up, for "must fail" checks: the
 * grader (or the matrix) names them in $KNETSIM_FAULTS, a JSON array.
 */
export const FaultSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Cut a worker off the underlay: its port on the cluster switch goes down. */
      kind: z.literal('link-down'),
      worker: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,14}$/, 'must be a worker full name such as C0w2'),
    })
    .strict(),
]);
export const FaultsSchema = z.array(FaultSchema).max(8);
export type Fault = z.infer<typeof FaultSchema>;

export const FAULTS_ENV = 'KNETSIM_FAULTS';

export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): Fault[] {
  return jsonFromEnv(FAULTS_ENV, FaultsSchema, [], env);
}

export async function applyFaults(sim: Simulation, faults: readonly Fault[]): Promise<void> {
  for (const f of faults) {
    await sim.reporter.step(`fault: ${f.kind} ${f.worker}`, async () => {
      await run(['ip', 'link', 'set', f.worker, 'down'], { netns: sim.underlayNetns, timeoutMs: 10_000 });
    });
  }
}
