/**
 * mulberry32: a small, fast 32-bit PRNG with a full 2^32 period, for simulations in tests
 * (deterministic given a seed). All arithmetic stays in 32 bits (`Math.imul`, `>>> 0`),
 * so no step loses precision the way `seed * 1103515245 + 12345` does in doubles.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
