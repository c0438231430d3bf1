import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng.ts';

describe('mulberry32', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('stays in [0, 1) and fills 16 bins evenly (chi-square well under the 1e-4 critical value 44.3)', () => {
    const r = mulberry32(0xdeadbeef);
    const bins = new Array<number>(16).fill(0);
    const n = 160_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r();
      if (!(x >= 0 && x < 1)) outside++;
      else bins[Math.floor(x * 16)]!++;
    }
    expect(outside).toBe(0);
    const e = n / 16;
    const chi2 = bins.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(44.3);
  });

  it('has no lag-1 correlation (|r| < 0.01 over 100,000 pairs)', () => {
    const r = mulberry32(7);
    let prev = r();
    let sxy = 0;
    let sx = 0;
    let sxx = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r();
      sxy += prev * x;
      sx += x;
      sxx += x * x;
      prev = x;
    }
    const mean = sx / n;
    const corr = (sxy / n - mean * mean) / (sxx / n - mean * mean);
    expect(Math.abs(corr)).toBeLessThan(0.01);
  });
});
