import { run } from '../../sys/exec.ts';

/** `tc qdisc add dev PORT root netem delay MSms [JITTERms]`: delays what leaves the port. */
export function netemArgv(port: string, ms: number, jitterMs?: number): string[] {
  const argv = ['tc', 'qdisc', 'add', 'dev', port, 'root', 'netem', 'delay', `${ms}ms`];
  if (jitterMs !== undefined && jitterMs > 0) argv.push(`${jitterMs}ms`);
  return argv;
}

export async function addDelay(netns: string, port: string, ms: number, jitterMs?: number): Promise<void> {
  await run(netemArgv(port, ms, jitterMs), { netns });
}
