import { z } from 'zod';
import type { Simulation } from '../model/simulation.ts';
import { ExposeOptionsSchema } from '../model/service-spec.ts';

/** Set by the grader in a child's environment: its folder (setup.json, and sync/ for the marks). */
export const GRADING_DIR_ENV = 'KNETSIM_GRADING_DIR';

/**
 * What the grading fixture builds on top of the topology before a scenario's tests run,
 * the same in every variant of a check (services a student's scenario then probes).
 */
export const SetupSchema = z
  .object({
    services: z
      .array(
        ExposeOptionsSchema.extend({
          cluster: z.string().min(1),
          name: z.string().min(1),
          /** Start a small server in each endpoint pod (Service.startBackends). */
          backends: z.enum(['tcp', 'http']).optional(),
        }).strict(),
      )
      .max(8)
      .default([]),
  })
  .strict();
export type Setup = z.infer<typeof SetupSchema>;

export async function applySetup(sim: Simulation, setup: Setup): Promise<void> {
  for (const { cluster, name, backends, ...options } of setup.services) {
    const svc = await sim.cluster(cluster).expose(name, options);
    if (backends) await svc.startBackends(backends);
  }
}
