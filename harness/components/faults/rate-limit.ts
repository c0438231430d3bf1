import { run } from '../../sys/exec.ts';
import { rateBits } from './fault-options.ts';

/** How long a packet may wait in the token bucket before tbf drops it. */
const TBF_LATENCY = '100ms';

/**
 * `tc qdisc add dev PORT root tbf ...`: the argv that limits what leaves the port (on an
 * underlay port: what goes toward the worker or cluster behind it). The bucket holds
 * 20 ms of traffic, at least 16 KiB, so a 10 ms timer tick cannot starve it.
 */
export function tbfArgv(port: string, rate: string): string[] {
  const burstBytes = Math.max(16 * 1024, Math.ceil(rateBits(rate) / 8 / 50));
  return ['tc', 'qdisc', 'add', 'dev', port, 'root', 'tbf', 'rate', rate, 'burst', String(burstBytes), 'latency', TBF_LATENCY];
}

export async function addRateLimit(netns: string, port: string, rate: string): Promise<void> {
  await run(tbfArgv(port, rate), { netns });
}

/** Removes the port's root qdisc (tbf or netem), back to the default. */
export async function removeRootQdisc(netns: string, port: string): Promise<void> {
  await run(['tc', 'qdisc', 'del', 'dev', port, 'root'], { netns, reject: false });
}
