import { describe, expect, it } from 'vitest';
import { ipv4At, ipv6At, macAt, parseIpv6 } from './addresses.ts';

describe('address text', () => {
  it('formats IPv4 and MAC addresses, the same text on repeated calls', () => {
    const b = Uint8Array.from([10, 0, 0, 255, 0xaa, 0xbb, 0x0c, 0xdd, 0xee, 0x0f]);
    expect(ipv4At(b, 0)).toBe('10.0.0.255');
    expect(ipv4At(b, 0)).toBe('10.0.0.255');
    expect(macAt(b, 4)).toBe('aa:bb:0c:dd:ee:0f');
    expect(macAt(b, 4)).toBe('aa:bb:0c:dd:ee:0f');
  });

  it.each([
    ['fd00::1', 'fd00::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('round-trips IPv6 %s as %s (RFC 5952)', (input, text) => {
    expect(ipv6At(parseIpv6(input), 0)).toBe(text);
  });

  it('rejects malformed IPv6 text', () => {
    expect(() => parseIpv6('1::2::3')).toThrow(/not an IPv6 address/);
    expect(() => parseIpv6('1:2:3')).toThrow(/not an IPv6 address/);
  });
});
