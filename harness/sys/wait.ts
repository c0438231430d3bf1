import { TimeoutError } from './errors.ts';

/** What one probe saw: done (with a value), or not yet (with what it saw instead). */
export type Probe<T> = { done: true; value: T } | { done: false; seen: string };

export interface WaitOptions {
  timeoutMs: number;
  /** First delay between probes; doubles up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
}

export const ready = <T>(value: T): Probe<T> => ({ done: true, value });
export const notYet = (seen: string): Probe<never> => ({ done: false, seen });

/**
 * Polls `probe` until it reports done or the deadline passes. The TimeoutError names
 * what was awaited and what the last probe saw. A probe that throws counts as "not yet"
 * (its message is what was seen) unless it throws a `WaitAbort`, which ends the wait.
 */
export async function waitFor<T>(awaited: string, probe: () => Promise<Probe<T>>, opts: WaitOptions): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 10;
  const maxInterval = opts.maxIntervalMs ?? 200;
  let lastSeen = 'nothing yet (no probe completed)';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const p = await probe();
      if (p.done) return p.value;
      lastSeen = p.seen;
    } catch (e) {
      if (e instanceof WaitAbort) throw e.cause ?? e;
      lastSeen = e instanceof Error ? e.message.split('\n')[0] ?? String(e) : String(e);
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new TimeoutError(awaited, opts.timeoutMs, lastSeen);
    await sleep(Math.min(interval, left), opts.signal);
    interval = Math.min(interval * 2, maxInterval);
  }
}

/** Thrown from a probe to stop waiting at once (e.g. the daemon being awaited has died). */
export class WaitAbort extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
