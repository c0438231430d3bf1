import { describe, expect, it } from 'vitest';
import { chiSquareCritical, chiSquareSurvival, chiSquareUniform, gammaQ, logGamma } from './service-stats.ts';

describe('service statistics', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('gammaQ agrees with closed forms (Q(1, x) = e^-x)', () => {
    for (const x of [0.1, 1, 2.5, 10, 40]) expect(gammaQ(1, x)).toBeCloseTo(Math.exp(-x), 12);
    expect(gammaQ(3, 0)).toBe(1);
  });

  // Published chi-square quantiles (NIST/SEMATECH handbook table and R's qchisq).
  it.each([
    [1, 0.05, 3.841459],
    [2, 0.01, 9.21034],
    [3, 0.001, 16.26624],
    [10, 0.05, 18.30704],
    [10, 0.001, 29.58829],
    [1, 1e-6, 23.92813],
    [2, 1e-6, 27.63102],
    [10, 1e-6, 46.863047], // even df: closed form e^(-x/2) Σ (x/2)^i / i!
  ])('χ² df=%i, alpha=%f → %f', (df, alpha, x) => {
    expect(chiSquareCritical(df, alpha)).toBeCloseTo(x, 3);
    expect(chiSquareSurvival(x, df)).toBeCloseTo(alpha, alpha < 1e-3 ? 9 : 5);
  });

  it('chiSquareUniform: balanced counts give a large p-value, lopsided ones a tiny one', () => {
    const fair = chiSquareUniform([97, 103]);
    expect(fair.statistic).toBeCloseTo(0.18, 10);
    expect(fair.df).toBe(1);
    expect(fair.pValue).toBeGreaterThan(0.6);
    expect(chiSquareUniform([200, 0]).pValue).toBeLessThan(1e-40);
    expect(() => chiSquareUniform([5])).toThrow(RangeError);
  });
});
