import type { MatcherState } from '@vitest/expect';
import { formatSpread, isSpreadResult } from './spread-result.ts';

export interface FailOptions {
  /** Inclusive bounds on the fraction of requests that failed. Default [1e-9, 1]: at least one. */
  between?: readonly [number, number];
}

/** `expect(spread).toFail({ between: [0.3, 0.7] })`: the failed fraction lies in the range. */
export function toFail(this: MatcherState, received: unknown, opts: FailOptions = {}) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toFail`, 'spread', 'options', { isNot: this.isNot });
  if (!isSpreadResult(received)) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be the result of svc.spread()\nReceived: ${this.utils.printReceived(received)}`);
  }
  const [lo, hi] = opts.between ?? [1e-9, 1];
  if (!(lo >= 0 && hi <= 1 && lo <= hi)) throw new TypeError(`${hint}\n\nMatcher error: between must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1`);
  const fraction = received.total === 0 ? 0 : received.failures / received.total;
  return {
    pass: fraction >= lo && fraction <= hi,
    actual: fraction,
    expected: [lo, hi],
    message: () =>
      `${hint}\n\nExpected: failed fraction ${this.isNot ? 'outside' : 'within'} [${lo}, ${hi}]\n` +
      `Received: ${fraction.toFixed(3)} — ${formatSpread(received)}`,
  };
}
