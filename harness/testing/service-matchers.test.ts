import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../sys/prng.ts';
import type { SpreadResult } from '../model/service.ts';
import { toBeBalanced } from './to-be-balanced.ts';
import { toFail } from './to-fail.ts';
import { toOnlyHit } from './to-only-hit.ts';

expect.extend({ toBeBalanced, toOnlyHit, toFail });
declare module 'vitest' {
  interface Assertion {
    toBeBalanced(opts?: { confidence?: number; maxFailures?: number }): void;
    toOnlyHit(pods: readonly string[]): void;
    toFail(opts?: { between?: readonly [number, number] }): void;
  }
}

const spread = (counts: Record<string, number>, failures = 0): SpreadResult => ({
  service: 'web',
  from: 'C0w1:c1',
  counts,
  failures,
  total: Object.values(counts).reduce((a, b) => a + b, 0) + failures,
  errors: failures ? { ETIMEDOUT: failures } : {},
  ms: 1,
});

describe('toBeBalanced', () => {
  it('passes a fair spread and fails a lopsided one, saying why', () => {
    expect(spread({ c2: 97, c3: 103 })).toBeBalanced();
    expect(spread({ c2: 160, c3: 40 })).not.toBeBalanced();
    expect(() => expect(spread({ c2: 160, c3: 40 })).toBeBalanced()).toThrow(/chi-square 72\.00 \(df 1.*> critical 23\.93/);
  });

  it('fails when requests failed or only one endpoint exists', () => {
    expect(spread({ c2: 50, c3: 50 }, 3)).not.toBeBalanced();
    expect(spread({ c2: 50, c3: 50 }, 3)).toBeBalanced({ maxFailures: 3 });
    expect(spread({ c2: 100 })).not.toBeBalanced();
    expect(spread({ c2: 100, c3: 0 })).not.toBeBalanced();
  });

  it('a lower confidence is stricter', () => {
    // chi-square 8 (df 1): fine at 1 − 1e-6 (critical 23.9), not at 0.95 (critical 3.84).
    expect(spread({ c2: 120, c3: 80 })).toBeBalanced();
    expect(spread({ c2: 120, c3: 80 })).not.toBeBalanced({ confidence: 0.95 });
  });

  it('passes 500 simulated fair spreads of 200 over 3 endpoints (false failures < 1e-6 each)', () => {
    const rand = mulberry32(12345);
    for (let i = 0; i < 500; i++) {
      const counts = { a: 0, b: 0, c: 0 };
      for (let j = 0; j < 200; j++) counts[(['a', 'b', 'c'] as const)[Math.floor(rand() * 3)]!]++;
      expect(spread(counts)).toBeBalanced();
    }
  });

  it('states its power: weak at 60 answers, ≥ 99 % at the default sample size', () => {
    expect(() => expect(spread({ c2: 36, c3: 24 })).not.toBeBalanced()).toThrow(/power: with 60 answers over 2 endpoints, a share 10 points off fair fails this test with probability 0\.0/);
    expect(() => expect(spread({ c2: 649, c3: 648 })).not.toBeBalanced()).toThrow(/1297 answers .* probability 0\.99/);
    // 60/40 at the default n fails: the deviation it is sized for.
    expect(spread({ c2: 778, c3: 519 })).not.toBeBalanced();
  });

  it('rejects a received value that is not a spread result', () => {
    expect(() => expect({ c2: 1 }).toBeBalanced()).toThrow(/Matcher error/);
  });
});

describe('toOnlyHit', () => {
  it('passes when only the listed pods answered, with no failures', () => {
    expect(spread({ c2: 100, c3: 0 })).toOnlyHit(['c2']);
    expect(spread({ c2: 90, c3: 10 })).not.toOnlyHit(['c2']);
    expect(spread({ c2: 90, c3: 0 }, 10)).not.toOnlyHit(['c2']);
    expect(spread({ c2: 90, c3: 0 })).not.toOnlyHit(['c2', 'c3']);
    expect(() => expect(spread({ c2: 90, c3: 10 })).toOnlyHit(['c2'])).toThrow(/c3 answered 10 time/);
  });
});

describe('toFail', () => {
  it('checks the failed fraction against the range', () => {
    expect(spread({ c2: 50, c3: 0 }, 50)).toFail({ between: [0.3, 0.7] });
    expect(spread({ c2: 95, c3: 0 }, 5)).not.toFail({ between: [0.3, 0.7] });
    expect(spread({ c2: 100 })).not.toFail();
    expect(spread({ c2: 99 }, 1)).toFail();
  });
});
