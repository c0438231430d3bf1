import type { MatcherState } from '@vitest/expect';
import { cidrContains, isCidr, isIpv4, parseCidr, parseIpv4 } from '../sys/ipv4.ts';

/** `expect('11.10.16.2').toBeInSubnet('11.10.16.1/20')`: the address lies in the CIDR's network. */
export function toBeInSubnet(this: MatcherState, received: unknown, cidr: string) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toBeInSubnet`, 'address', 'cidr', { isNot: this.isNot });
  if (typeof received !== 'string' || !isIpv4(received)) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be an IPv4 address string\nReceived: ${this.utils.printReceived(received)}`);
  }
  if (!isCidr(cidr)) throw new TypeError(`${hint}\n\nMatcher error: expected value must be an IPv4 CIDR\nExpected: ${this.utils.printExpected(cidr)}`);
  const pass = cidrContains(parseCidr(cidr), parseIpv4(received));
  return {
    pass,
    message: () =>
      `${hint}\n\nExpected: address ${this.isNot ? 'outside' : 'inside'} ${this.utils.printExpected(cidr)}\nReceived: ${this.utils.printReceived(received)}`,
  };
}
