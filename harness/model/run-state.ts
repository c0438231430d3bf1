import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * state.json in a run's folder: the names and addresses of a live simulation, so that
 * another process (`knetsim exec`, `knetsim ls`) can address its workers and pods.
 */
export const RunStateSchema = z.object({
  runId: z.string(),
  topology: z.string(),
  underlayNetns: z.string(),
  clusters: z.array(
    z.object({
      name: z.string(),
      etcd: z.array(z.string()),
      workers: z.array(z.object({ name: z.string(), fullName: z.string(), netns: z.string(), ip: z.string(), subnet: z.string() })),
      pods: z.array(z.object({ name: z.string(), worker: z.string(), netns: z.string(), ip: z.string() })),
    }),
  ),
});
export type RunState = z.infer<typeof RunStateSchema>;

interface SimLike {
  runId: string;
  underlayNetns: string;
  topology: { name: string };
  clusters: Map<
    string,
    {
      name: string;
      etcd: { endpoints: string[] };
      listWorkers(): { name: string; fullName: string; netns: string; ip: string; subnet: { subnet: string } }[];
      listPods(): { name: string; worker: { fullName: string }; netns: string; ip: string }[];
    }
  >;
}

export function saveRunState(runDir: string, sim: SimLike): RunState {
  const state = runStateOf(sim);
  const file = join(runDir, 'state.json');
  writeFileSync(file + '.tmp', JSON.stringify(state, null, 2));
  renameSync(file + '.tmp', file);
  return state;
}

export function runStateOf(sim: SimLike): RunState {
  return {
    runId: sim.runId,
    topology: sim.topology.name,
    underlayNetns: sim.underlayNetns,
    clusters: [...sim.clusters.values()].map((c) => ({
      name: c.name,
      etcd: c.etcd.endpoints,
      workers: c.listWorkers().map((w) => ({ name: w.name, fullName: w.fullName, netns: w.netns, ip: w.ip, subnet: w.subnet.subnet })),
      pods: c.listPods().map((p) => ({ name: p.name, worker: p.worker.fullName, netns: p.netns, ip: p.ip })),
    })),
  };
}

export function readRunState(runDir: string): RunState | undefined {
  try {
    return RunStateSchema.parse(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')));
  } catch {
    return undefined;
  }
}
