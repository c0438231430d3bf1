import { HarnessError } from '../../sys/errors.ts';
import { listRuns, reapRun } from '../../sys/reaper.ts';
import { parse } from './args.ts';

const USAGE = `knetsim down RUN

Stops a run's daemons and removes its namespaces and files.`;

export async function down(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {});
  if (!a) return 0;
  const [runId] = a.positionals;
  if (!runId || a.positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  if (!listRuns().some((r) => r.runId === runId)) throw new HarnessError(`no run "${runId}" (see knetsim ls)`);
  const r = await reapRun(runId);
  console.log(`run ${runId} down: ${r.processes} processes stopped, ${r.netns} namespaces removed`);
  return 0;
}
