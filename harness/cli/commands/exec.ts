import { HarnessError } from '../../sys/errors.ts';
import { resolveNames, runAttached } from '../prompt.ts';
import { findRunNode, requireRunState } from './run-node.ts';

const USAGE = `knetsim exec RUN NODE -- CMD [ARGS...]

Runs CMD in a worker (C0w1) or a pod (C0w1:c1, or C0:c1) of a running simulation.
Node names among the arguments become their IPs, as at the prompt (also host:port and URLs):
  knetsim exec RUN C0w1:c1 -- ping -c 3 C0w2:c2
  knetsim exec RUN C1w2:c2 -- wget -qO- C1w1:1028`;

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
  const state = requireRunState(runId);
  const target = findRunNode(state, node);
  if (!target) throw new HarnessError(`run ${runId} has no worker or pod "${node}"`);
  return runAttached(target.netns, cmd.map((a) => resolveNames(a, (n) => findRunNode(state, n)?.ip)));
}
