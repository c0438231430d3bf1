import { notYet, ready, waitFor } from '../../sys/wait.ts';

export const RECOVERY_TIMEOUT_MS = 30_000;

export interface Recovery {
  /** From the call (usually right after the undo) to the first check that passed. */
  ms: number;
  /** Checks run, the passing one included. */
  checks: number;
}

/**
 * Measures how long something takes to work again: runs `check` until it returns true
 * (a string is what it saw instead), within a deadline. The TimeoutError names what was
 * awaited and the last thing seen.
 */
export async function measureRecovery(
  awaited: string,
  check: () => Promise<true | string>,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Recovery> {
  const t0 = performance.now();
  let checks = 0;
  await waitFor(
    awaited,
    async () => {
      checks++;
      const r = await check();
      return r === true ? ready(undefined) : notYet(r);
    },
    { timeoutMs: opts.timeoutMs ?? RECOVERY_TIMEOUT_MS, intervalMs: 20, maxIntervalMs: 100, signal: opts.signal },
  );
  return { ms: Math.round(performance.now() - t0), checks };
}
