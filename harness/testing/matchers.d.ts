import 'vitest';
import type { Target } from '../model/pod.ts';
import type { ReachOptions } from './to-reach.ts';
import type { BalancedOptions } from './to-be-balanced.ts';
import type { FailOptions } from './to-fail.ts';
import type { VxlanMatch } from './to-contain-vxlan.ts';

interface KnetsimMatchers<R = unknown> {
  /** Pings the target from the received pod or worker; fails with loss and rtt. Await it. */
  toReach(target: Target, opts?: ReachOptions): Promise<R>;
  /** The received IPv4 address lies inside the CIDR's network. */
  toBeInSubnet(cidr: string): R;
  /** The received packets (capture.stop()) hold a VXLAN packet with every field given. */
  toContainVxlan(expected?: VxlanMatch): R;
  /** The received capture or pcap path decodes as tshark decodes it, packet by packet. Await it. */
  toAgreeWithTshark(opts?: { vxlanPorts?: readonly number[] }): Promise<R>;
  /** The received svc.spread() result is consistent with a uniform spread (chi-square, false failures < 1e-6) and has no failures; the message states the test's power. */
  toBeBalanced(opts?: BalancedOptions): R;
  /** The received svc.spread() result was answered only by these pods (each at least once), with no failures. */
  toOnlyHit(pods: readonly string[]): R;
  /** The received svc.spread() result's failed fraction lies in `between` (inclusive). */
  toFail(opts?: FailOptions): R;
}

declare module 'vitest' {
  interface Assertion<T = any> extends KnetsimMatchers<T> {}
  interface AsymmetricMatchersContaining extends KnetsimMatchers {}
}
