import { readRunState } from '../../model/run-state.ts';
import { HarnessError } from '../../sys/errors.ts';
import { runDirOf } from '../../sys/run-dir.ts';
import { runAttached } from '../prompt.ts';

const USAGE = `knetsim exec RUN NODE -- CMD [ARGS...]

Runs CMD in a worker (C0w1) or a pod (C0w1:c1, or C0:c1) of a running simulation.
Node names among the arguments become their IPs: knetsim exec RUN C0w1:c1 -- ping -c 3 C0w2:c2`;

export async function exec(args: string[]): Promise<number> {
  if (args[0] === '-h' || args[0] === '--help') {
    console.log(USAGE);
    return 0;
  }
  const sep = args.indexOf('--');
  const head = sep < 0 ? args.slice(0, 2) : args.slice(0, sep);
  const cmd = sep < 0 ? args.slice(2) : args.slice(sep + 1);
  const [runId, node] = head;
  if (!runId || !node || cmd.length === 0 || head.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  const state = readRunState(runDirOf(runId));
  if (!state) throw new HarnessError(`no running simulation "${runId}" (see knetsim ls)`);
  const find = (name: string) => {
    const [n, pod] = name.split(':', 2);
    for (const c of state.clusters) {
      if (pod === undefined) {
        const w = c.workers.find((w) => w.fullName === n);
        if (w) return w;
      } else {
        const p = c.pods.find((p) => p.name === pod && (p.worker === n || c.name === n));
        if (p) return p;
      }
    }
    return undefined;
  };
  const target = find(node);
  if (!target) throw new HarnessError(`run ${runId} has no worker or pod "${node}"`);
  return runAttached(target.netns, cmd.map((a) => find(a)?.ip ?? a));
}
