import { run } from './exec.ts';
import { HarnessError } from './errors.ts';
import { notYet, ready, waitFor, WaitAbort } from './wait.ts';

/** Duplicate address detection takes about a second (one probe, plus a random delay). */
export const IPV6_SETTLE_TIMEOUT_MS = 10_000;

/**
 * Waits until no IPv6 address on `dev` in `netns` is still tentative (duplicate address
 * detection running: the kernel neither uses nor answers for it yet). A bridge's gateway
 * address is tentative for a second or two after its first port comes up, and a pod
 * cannot reach its default gateway meanwhile. Fails at once when DAD found a duplicate.
 */
export async function waitIpv6Settled(netns: string, dev: string, timeoutMs = IPV6_SETTLE_TIMEOUT_MS): Promise<void> {
  await waitFor(
    `the IPv6 addresses of ${dev} in ${netns} to finish duplicate address detection`,
    async () => {
      const r = await run(['ip', '-6', '-j', 'addr', 'show', 'dev', dev], { netns });
      const infos = ((JSON.parse(r.stdout) as { addr_info?: { local: string; tentative?: boolean; dadfailed?: boolean }[] }[])[0]?.addr_info ?? []);
      const failed = infos.filter((a) => a.dadfailed).map((a) => a.local);
      if (failed.length) throw new WaitAbort(new HarnessError(`duplicate address detection failed for ${failed.join(', ')} on ${dev} in ${netns}`));
      const tentative = infos.filter((a) => a.tentative).map((a) => a.local);
      return tentative.length ? notYet(`tentative: ${tentative.join(', ')}`) : ready(undefined);
    },
    { timeoutMs, intervalMs: 50, maxIntervalMs: 200 },
  );
}
