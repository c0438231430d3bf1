import 'vitest';
import type { Target } from '../model/pod.ts';
import type { ReachOptions } from './to-reach.ts';

interface KnetsimMatchers<R = unknown> {
  /** Pings the target from the received pod or worker; fails with loss and rtt. Await it. */
  toReach(target: Target, opts?: ReachOptions): Promise<R>;
  /** The received IPv4 address lies inside the CIDR's network. */
  toBeInSubnet(cidr: string): R;
}

declare module 'vitest' {
  interface Assertion<T = any> extends KnetsimMatchers<T> {}
  interface AsymmetricMatchersContaining extends KnetsimMatchers {}
}
