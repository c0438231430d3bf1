import { readRunState } from '../../model/run-state.ts';
import { listRuns } from '../../sys/reaper.ts';
import { table } from '../prompt.ts';
import { parse } from './args.ts';

const USAGE = `knetsim ls

Lists runs: id, state (running: its process is alive; detached: left running on purpose;
dead: its process is gone, 'knetsim clean' removes what it left; foreign: namespaces with no
folder in this state root), pods, namespaces, start time.`;

export async function ls(args: string[]): Promise<number> {
  if (!parse(args, USAGE, {}, false)) return 0;
  const runs = listRuns();
  if (runs.length === 0) {
    console.log('no runs');
    return 0;
  }
  const rows = [['run', 'state', 'topology', 'pods', 'netns', 'started']];
  for (const r of runs) {
    const s = readRunState(r.runDir);
    rows.push([
      r.runId,
      r.state,
      s?.topology ?? r.meta?.topology ?? '?',
      String(s?.clusters.reduce((n, c) => n + c.pods.length, 0) ?? '-'),
      String(r.netns.length),
      r.meta?.createdAt ?? '?',
    ]);
  }
  console.log(table(rows));
  return 0;
}
