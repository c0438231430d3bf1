import type { MatcherState } from '@vitest/expect';
import { describePower } from '../model/service-power.ts';
import { chiSquareCritical, chiSquareUniform } from '../model/service-stats.ts';
import { formatSpread, isSpreadResult } from './spread-result.ts';

export interface BalancedOptions {
  /**
   * Probability that a truly uniform spread passes (1 − the false-failure rate).
   * Default 1 − 1e-6: a correct system fails this matcher less than once in a million runs.
   */
  confidence?: number;
  /** Failed requests allowed (default 0). */
  maxFailures?: number;
}

/**
 * `expect(await svc.spread()).toBeBalanced()`: Pearson's chi-square test of the
 * per-endpoint counts against a uniform spread, at significance 1 − confidence. The
 * message states the test's power at the number of answers received (service-power.ts):
 * how surely a spread 10 points off fair would have failed it.
 */
export function toBeBalanced(this: MatcherState, received: unknown, opts: BalancedOptions = {}) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toBeBalanced`, 'spread', 'options', { isNot: this.isNot });
  if (!isSpreadResult(received)) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be the result of svc.spread()\nReceived: ${this.utils.printReceived(received)}`);
  }
  const confidence = opts.confidence ?? 1 - 1e-6;
  if (!(confidence > 0 && confidence < 1)) throw new TypeError(`${hint}\n\nMatcher error: confidence must lie in (0, 1), got ${confidence}`);
  const counts = Object.values(received.counts);
  const hits = counts.reduce((a, b) => a + b, 0);
  const maxFailures = opts.maxFailures ?? 0;
  let why: string;
  let pass: boolean;
  if (counts.length < 2) {
    pass = false;
    why = `needs at least two endpoints, got ${counts.length}`;
  } else if (hits === 0) {
    pass = false;
    why = 'no request was answered';
  } else {
    const t = chiSquareUniform(counts);
    const critical = chiSquareCritical(t.df, 1 - confidence);
    const balanced = t.statistic <= critical;
    pass = balanced && received.failures <= maxFailures;
    why =
      `chi-square ${t.statistic.toFixed(2)} (df ${t.df}, p = ${t.pValue.toPrecision(3)}) ` +
      `${balanced ? '≤' : '>'} critical ${critical.toFixed(2)} at confidence ${confidence}` +
      (received.failures > maxFailures ? `; ${received.failures} failures > ${maxFailures} allowed` : '') +
      `\n${describePower(counts.length, hits, { alpha: 1 - confidence })}`;
  }
  return {
    pass,
    actual: received.counts,
    message: () =>
      `${hint}\n\nExpected: ${this.isNot ? 'an unbalanced spread' : 'a spread consistent with uniform'} over ${Object.keys(received.counts).join(', ')}\n` +
      `Received: ${formatSpread(received)}\n${why}`,
  };
}
