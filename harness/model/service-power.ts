import { chiSquareCritical, chiSquareSurvival, logGamma } from './service-stats.ts';

/**
 * How much `toBeBalanced` can see. Its test is Pearson's chi-square against a uniform
 * spread over k endpoints at significance alpha (false failures ≤ alpha). Its power is
 * the probability that a spread with one endpoint's share `deviation` off fair fails it.
 *
 * How it is computed: the off endpoint's count a is Binomial(n, 1/k ± d), summed exactly;
 * given a, the other k − 1 endpoints share n − a evenly, so their part of the statistic is
 * (to the same approximation the test's alpha rests on) χ²(k − 2) scaled, plus a known
 * shift. For k = 2 this is exact. The usual noncentral chi-square approximation
 * (λ = n·k·Σ(p_i − 1/k)²) was tried first and is optimistic here: at its n for 99 %,
 * simulated power is 96.5 % for 10 endpoints. The unit test checks this one by simulation.
 */

/** False failures allowed: a correct system fails `toBeBalanced` less than once in a million runs. */
export const BALANCE_ALPHA = 1e-6;
/** The smallest unfairness that must be caught: one endpoint's share off fair by 10 points. */
export const BALANCE_DEVIATION = 0.1;
/** How surely it must be caught. */
export const BALANCE_POWER = 0.99;

export interface PowerQuestion {
  endpoints: number;
  /** Share points off fair (0.1: ten points). Default BALANCE_DEVIATION. */
  deviation?: number;
  /** Significance: the false-failure rate. Default BALANCE_ALPHA. */
  alpha?: number;
}

/**
 * P(the test fails) after n requests when one endpoint gets share `share` and the other
 * k − 1 split the rest evenly.
 */
export function powerAgainst(endpoints: number, requests: number, share: number, alpha = BALANCE_ALPHA): number {
  const k = endpoints;
  const n = requests;
  checkEndpoints(k);
  if (!(share > 0 && share < 1)) throw new RangeError(`share must lie in (0, 1), got ${share}`);
  const critical = chiSquareCritical(k - 1, alpha);
  const e = n / k;
  const sd = Math.sqrt(n * share * (1 - share));
  const lo = Math.max(0, Math.floor(n * share - 12 * sd - 5));
  const hi = Math.min(n, Math.ceil(n * share + 12 * sd + 5));
  const logChoose = logGamma(n + 1);
  let sum = 0;
  for (let a = lo; a <= hi; a++) {
    const w = Math.exp(logChoose - logGamma(a + 1) - logGamma(n - a + 1) + a * Math.log(share) + (n - a) * Math.log(1 - share));
    const m = (n - a) / (k - 1); // what each other endpoint expects given a
    const shift = (a - e) ** 2 / e + ((k - 1) * (m - e) ** 2) / e;
    let p: number;
    if (shift > critical) p = 1;
    else if (k === 2 || m === 0) p = 0;
    else p = chiSquareSurvival(((critical - shift) * e) / m, k - 2);
    sum += w * p;
  }
  return Math.min(1, sum);
}

/**
 * Probability that `requests` answers from a spread with some endpoint `deviation` off
 * fair fail the test: the smaller of "one endpoint 1/k + d" and "one endpoint 1/k − d"
 * (others even), which are the spreads with that deviation closest to uniform.
 */
export function balancePower(q: PowerQuestion & { requests: number }): number {
  const { k, d, alpha } = defaults(q);
  if (!Number.isInteger(q.requests) || q.requests < 1) throw new RangeError(`requests must be a positive integer, got ${q.requests}`);
  const up = powerAgainst(k, q.requests, 1 / k + d, alpha);
  return 1 / k - d > 0 ? Math.min(up, powerAgainst(k, q.requests, 1 / k - d, alpha)) : up;
}

/**
 * The fewest requests for which a spread `deviation` off fair fails the test with
 * probability ≥ power (default BALANCE_POWER), at false failures ≤ alpha.
 */
export function requestsForPower(q: PowerQuestion & { power?: number }): number {
  const { k, d, alpha } = defaults(q);
  const power = q.power ?? BALANCE_POWER;
  if (!(power > 0 && power < 1)) throw new RangeError(`power must lie in (0, 1), got ${power}`);
  const enough = (n: number) => balancePower({ endpoints: k, deviation: d, alpha, requests: n }) >= power;
  let hi = 16;
  while (!enough(hi)) {
    hi *= 2;
    if (hi > 1e8) throw new RangeError(`no n up to 1e8 reaches power ${power} for deviation ${d} over ${k} endpoints`);
  }
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** One line for failure messages and report steps. */
export function describePower(endpoints: number, requests: number, q: Omit<PowerQuestion, 'endpoints'> = {}): string {
  if (endpoints < 2) return 'power: needs at least two endpoints';
  if (requests < 1) return 'power: no answers';
  const { d, alpha } = defaults({ ...q, endpoints });
  const p = balancePower({ endpoints, requests, deviation: d, alpha });
  return (
    `power: with ${requests} answers over ${endpoints} endpoints, a share ${Math.round(d * 100)} points off fair ` +
    `fails this test with probability ${p >= 0.9999 ? '> 0.9999' : p.toFixed(4)} (false failures ≤ ${alpha})`
  );
}

function defaults(q: PowerQuestion) {
  checkEndpoints(q.endpoints);
  const alpha = q.alpha ?? BALANCE_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
  const d = q.deviation ?? BALANCE_DEVIATION;
  const k = q.endpoints;
  if (!(d > 0 && d < (k - 1) / k)) throw new RangeError(`deviation must lie in (0, ${((k - 1) / k).toFixed(3)}) for ${k} endpoints, got ${d}`);
  return { k, d, alpha };
}

function checkEndpoints(k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`a balance test needs at least two endpoints, got ${k}`);
}
