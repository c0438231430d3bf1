import { HarnessError } from '../../sys/errors.ts';
import { listRuns, reapRun } from '../../sys/reaper.ts';
import { parse } from './args.ts';

const USAGE = `knetsim clean [RUN | --all]

Removes what runs left behind: processes, namespaces (with their links, routes and nft
tables) and state folders, from each run's ledger.
  (no argument)  every dead run: its owner process is gone and it was not detached
  RUN            that run, whatever its state
  --all          every run, including running, detached and foreign ones (namespaces
                 named like a run with no folder in this state root: another
                 KNETSIM_STATE_DIR's runs, or an interrupted knetsim doctor)`;

export async function clean(args: string[]): Promise<number> {
  const a = parse(args, USAGE, { all: { type: 'boolean' } });
  if (!a) return 0;
  const runs = listRuns();
  let targets;
  if (a.values.all) targets = runs;
  else if (a.positionals.length === 1) {
    targets = runs.filter((r) => r.runId === a.positionals[0]);
    if (targets.length === 0) throw new HarnessError(`no run "${a.positionals[0]}" (see knetsim ls)`);
  } else if (a.positionals.length === 0) targets = runs.filter((r) => r.state === 'dead');
  else {
    console.error(USAGE);
    return 2;
  }
  if (targets.length === 0) {
    console.log('nothing to clean');
    return 0;
  }
  for (const t of targets) {
    const r = await reapRun(t.runId);
    console.log(`cleaned ${t.runId} (${t.state}): ${r.processes} processes, ${r.netns} namespaces${r.removedDir ? ', state folder' : ''}`);
  }
  return 0;
}
