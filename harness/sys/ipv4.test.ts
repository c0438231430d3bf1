import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, formatCidr, formatIpv4, isIpv4, parseCidr, parseIpv4 } from './ipv4.ts';

describe('ipv4', () => {
  it('round-trips addresses', () => {
    for (const a of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '11.10.16.2']) expect(formatIpv4(parseIpv4(a))).toBe(a);
  });
  it('rejects what is not an address', () => {
    for (const a of ['256.0.0.1', '1.2.3', '01.2.3.4x', '', '1.2.3.4 ']) expect(isIpv4(a)).toBe(false);
  });
  it('masks a CIDR to its network', () => {
    expect(formatCidr(parseCidr('11.10.16.1/20'))).toBe('11.10.16.0/20');
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });
  it('tests containment and overlap', () => {
    expect(cidrContains(parseCidr('11.0.0.0/8'), parseIpv4('11.99.0.1'))).toBe(true);
    expect(cidrContains(parseCidr('11.0.0.0/8'), parseIpv4('12.0.0.1'))).toBe(false);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8'), parseCidr('10.0.0.0/16'))).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.0.0/16'), parseCidr('11.0.0.0/8'))).toBe(false);
  });
});
