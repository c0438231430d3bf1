/**
 * A deadline over a process group (a child spawned with `detached: true` leads one): when
 * it passes, `onTimeout` (to say so), SIGTERM to the group, then SIGKILL after a grace period. `end()` clears the
 * timers and SIGKILLs whatever the group still holds, so nothing a child started outlives it.
 */
export interface GroupDeadline {
  /** Whether the deadline passed (the group was told to stop). */
  readonly timedOut: boolean;
  /** Sends `signal` to the whole group; a group already gone is not an error. */
  signal(signal: NodeJS.Signals): void;
  end(): void;
}

export function groupDeadline(pgid: number | undefined, timeoutMs: number, graceMs: number, onTimeout?: () => void): GroupDeadline {
  let timedOut = false;
  let hard: NodeJS.Timeout | undefined;
  const signal = (sig: NodeJS.Signals) => {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    onTimeout?.();
    signal('SIGTERM');
    hard = setTimeout(() => signal('SIGKILL'), graceMs);
  }, timeoutMs);
  return {
    get timedOut() {
      return timedOut;
    },
    signal,
    end() {
      clearTimeout(timer);
      if (hard) clearTimeout(hard);
      signal('SIGKILL');
    },
  };
}
