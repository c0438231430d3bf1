import type { Daemon } from './daemon.ts';
import { run } from './exec.ts';
import { notYet, ready, waitFor, WaitAbort } from './wait.ts';

export const LISTEN_TIMEOUT_MS = 15_000;

/**
 * Waits until something in `netns` listens on TCP `port` (as `ss` sees it). With a
 * daemon, stops at once (with its log tail) if that daemon exits first.
 */
export async function waitTcpListening(
  netns: string,
  port: number,
  opts: { what?: string; daemon?: Daemon; timeoutMs?: number } = {},
): Promise<void> {
  await waitFor(
    `${opts.what ?? 'a server'} to listen on TCP ${port} in ${netns}`,
    async () => {
      if (opts.daemon && !opts.daemon.running) throw new WaitAbort(opts.daemon.error('exited before listening'));
      const r = await run(['ss', '-Hltn', `sport = :${port}`], { netns });
      return r.stdout.trim() ? ready(undefined) : notYet('no listening socket yet');
    },
    { timeoutMs: opts.timeoutMs ?? LISTEN_TIMEOUT_MS, intervalMs: 20, maxIntervalMs: 200 },
  );
}
