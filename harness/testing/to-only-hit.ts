import type { MatcherState } from '@vitest/expect';
import { formatSpread, isSpreadResult } from './spread-result.ts';

/**
 * `expect(spread).toOnlyHit(['c2'])`: every request was answered (no failures), only by
 * the listed pods, and each listed pod answered at least once.
 */
export function toOnlyHit(this: MatcherState, received: unknown, pods: readonly string[]) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toOnlyHit`, 'spread', 'pods', { isNot: this.isNot });
  if (!isSpreadResult(received)) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be the result of svc.spread()\nReceived: ${this.utils.printReceived(received)}`);
  }
  if (!Array.isArray(pods) || pods.length === 0) throw new TypeError(`${hint}\n\nMatcher error: expected a non-empty list of pod names`);
  const others = Object.entries(received.counts).filter(([p, c]) => c > 0 && !pods.includes(p));
  const missed = pods.filter((p) => !(received.counts[p]! > 0));
  const problems = [
    ...(received.failures ? [`${received.failures} request(s) failed`] : []),
    ...others.map(([p, c]) => `${p} answered ${c} time(s)`),
    ...missed.map((p) => `${p} never answered`),
  ];
  return {
    pass: problems.length === 0,
    actual: received.counts,
    expected: pods,
    message: () =>
      `${hint}\n\nExpected: ${this.isNot ? 'not ' : ''}only ${this.utils.printExpected(pods)} to answer, with no failures\n` +
      `Received: ${formatSpread(received)}${problems.length ? `\n${problems.join('; ')}` : ''}`,
  };
}
