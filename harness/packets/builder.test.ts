import { describe, expect, it } from 'vitest';
import { arp, ethernet, ipv4, ipv6, vxlan } from './builder.ts';
import { icmp, icmpv6, tcp, udp } from './builder-transport.ts';
import { ARP_REQUEST_HEX, ICMPV6_ECHO_HEX, TCP_SYN_HEX, VLAN_UDP_HEX, VXLAN_PING_HEX } from './test-frames.ts';

describe('frame builder', () => {
  it('builds a VXLAN-encapsulated ping byte for byte, with correct checksums', () => {
    const inner = ethernet(
      { src: '0a:58:0b:0a:10:02', dst: '0a:58:0b:0a:20:02' },
      ipv4({ src: '11.10.16.2', dst: '11.10.32.2', id: 0x1234, df: true }, icmp({ type: 'echo-request', id: 1, seq: 1 }, 'abcdefgh')),
    );
    const outer = ethernet(
      { src: '02:42:ac:11:00:02', dst: '02:42:ac:11:00:03' },
      ipv4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, udp({ srcPort: 8472, dstPort: 8472 }, vxlan({ vni: 100 }, inner))),
    );
    expect(outer.bytes.toString('hex')).toBe(VXLAN_PING_HEX);
  });

  it('builds TCP options in the Linux SYN layout', () => {
    const syn = tcp({ srcPort: 43210, dstPort: 80, seq: 1000, flags: 'S', mss: 1460, sackPermitted: true, timestamp: { value: 1, echo: 0 }, windowScale: 7 });
    expect(ethernet({}, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, syn)).bytes.toString('hex')).toBe(TCP_SYN_HEX);
  });

  it('builds ARP, ICMPv6 (pseudo-header checksum) and VLAN-tagged frames', () => {
    const who = arp({ op: 'request', senderMac: '02:00:00:00:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
    expect(ethernet({ dst: 'ff:ff:ff:ff:ff:ff' }, who).bytes.toString('hex')).toBe(ARP_REQUEST_HEX);
    const echo6 = ipv6({ src: 'fd00::1', dst: 'fd00::2' }, icmpv6({ type: 'echo-request', id: 7, seq: 3 }, 'hi'));
    expect(ethernet({}, echo6).bytes.toString('hex')).toBe(ICMPV6_ECHO_HEX);
    const tagged = ethernet({ vlan: 10 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: 53, dstPort: 53 }, 'xyz')));
    expect(tagged.bytes.toString('hex')).toBe(VLAN_UDP_HEX);
  });

  it('rejects bad addresses and ICMP type names', () => {
    expect(() => ipv4({ src: '10.0.0.256', dst: '10.0.0.1' })).toThrow(/not an IPv4 address/);
    expect(() => ethernet({ src: 'zz' })).toThrow(/not a MAC address/);
    expect(() => icmp({ type: 'pong' })).toThrow(/unknown ICMP type name/);
  });
});
