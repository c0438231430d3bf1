import type { MatcherState } from '@vitest/expect';
import { formatPing, type PingStats } from '../model/ping.ts';
import type { PingOptions, Target } from '../model/pod.ts';

export interface ReachOptions extends PingOptions {
  /** Highest loss (percent) that still counts as reaching. Default 0. */
  maxLoss?: number;
}

interface Pinger {
  label: string;
  ping(target: Target, opts?: PingOptions): Promise<PingStats>;
}

function isPinger(v: unknown): v is Pinger {
  return typeof v === 'object' && v !== null && typeof (v as Pinger).ping === 'function' && typeof (v as Pinger).label === 'string';
}

/**
 * `await expect(pod).toReach(otherPod | worker | '11.10.0.2', { count, maxLoss })`: pings
 * from the received pod or worker. With `.not`, passes only when no reply came back at all.
 */
export async function toReach(this: MatcherState, received: unknown, target: Target, opts: ReachOptions = {}) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toReach`, 'pod', 'target', { isNot: this.isNot });
  if (!isPinger(received)) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be a pod or a worker\nReceived: ${this.utils.printReceived(received)}`);
  }
  const stats = await received.ping(target, { count: opts.count ?? 3, interval: opts.interval, wait: opts.wait });
  const maxLoss = opts.maxLoss ?? 0;
  const pass = this.isNot ? stats.received > 0 : stats.received > 0 && stats.loss <= maxLoss;
  const expected = this.isNot ? 'no reply' : `loss <= ${maxLoss}%`;
  return {
    pass,
    actual: formatPing(stats),
    expected,
    message: () =>
      `${hint}\n\n${received.label} → ${stats.target}\n` +
      `Expected: ${this.utils.printExpected(expected)}\n` +
      `Received: ${this.utils.printReceived(formatPing(stats))}\n\n` +
      `ping output:\n${stats.output.trim()}`,
  };
}
