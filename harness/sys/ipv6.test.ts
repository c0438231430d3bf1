import { describe, expect, it } from 'vitest';
import { cidr6Contains, cidr6Size, cidr6sOverlap, formatCidr6, formatIpv6, isCidr6, isIpv6, parseCidr6, parseIpv6 } from './ipv6.ts';

describe('ipv6', () => {
  it('parses and formats canonically (RFC 5952)', () => {
    expect(formatIpv6(parseIpv6('FD00:0010:0096:0000:0000:0000:0000:000A'))).toBe('fd00:10:96::a');
    expect(formatIpv6(parseIpv6('::'))).toBe('::');
    expect(formatIpv6(parseIpv6('::1'))).toBe('::1');
    expect(formatIpv6(parseIpv6('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
    expect(formatIpv6(parseIpv6('1:0:2:3:4:5:6:7'))).toBe('1:0:2:3:4:5:6:7'); // a single zero group stays
    expect(parseIpv6('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(() => parseIpv6('1.2.3.4')).toThrow(RangeError);
    expect(isIpv6('fe80::1%eth0')).toBe(false);
  });

  it('handles prefixes: containment, overlap, size, host bits cleared', () => {
    expect(isCidr6('fd00:10:96::/112')).toBe(true);
    expect(isCidr6('fd00::/129')).toBe(false);
    expect(isCidr6('10.0.0.0/8')).toBe(false);
    const svc = parseCidr6('fd00:10:96::1/112');
    expect(formatCidr6(svc)).toBe('fd00:10:96::/112');
    expect(cidr6Size(svc)).toBe(65536n);
    expect(cidr6Contains(svc, parseIpv6('fd00:10:96::ffff'))).toBe(true);
    expect(cidr6Contains(svc, parseIpv6('fd00:10:96::1:0'))).toBe(false);
    expect(cidr6sOverlap(parseCidr6('fd00::/16'), svc)).toBe(true);
    expect(cidr6sOverlap(parseCidr6('fd01::/16'), svc)).toBe(false);
  });
});
