import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6 } from './builder.ts';
import { udp } from './builder-transport.ts';
import { decodePacket } from './decoder.ts';
import { hex, VXLAN_PING_HEX } from './test-frames.ts';

describe('IPv4', () => {
  it('decodes every header field of a hand-checked frame', () => {
    const p = decodePacket(hex(VXLAN_PING_HEX));
    expect(p.ipv4).toEqual({
      headerLength: 20,
      dscp: 0,
      ecn: 0,
      totalLength: 86,
      id: 1,
      df: false,
      mf: false,
      fragmentOffset: 0,
      isFragment: false,
      ttl: 64,
      protocol: 17,
      checksum: 0x6694,
      checksumOk: true,
      src: '10.0.0.1',
      dst: '10.0.0.2',
    });
    expect(p.inner?.ipv4).toMatchObject({ id: 0x1234, df: true, checksum: 0xe28d, checksumOk: true, src: '11.10.16.2' });
  });

  it('flags a bad header checksum without calling the packet malformed', () => {
    const p = decodePacket(ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', checksum: 0xbeef }, udp({ srcPort: 1, dstPort: 2 }))).bytes);
    expect(p.ipv4?.checksumOk).toBe(false);
    expect(p.udp?.dstPort).toBe(2);
    expect(p.malformed).toBeUndefined();
  });

  it('decodes the L4 header of a first fragment but not of later ones', () => {
    const first = ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', mf: true, id: 9 }, udp({ srcPort: 1, dstPort: 8472, length: 3000 }, Buffer.alloc(64))));
    const p1 = decodePacket(first.bytes);
    expect(p1.ipv4).toMatchObject({ mf: true, fragmentOffset: 0, isFragment: true });
    expect(p1.udp).toMatchObject({ srcPort: 1, length: 3000 });
    expect(p1.vxlan).toBeUndefined();
    expect(p1.malformed).toBeUndefined();
    const later = ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', fragmentOffset: 1480, protocol: 17, id: 9 }, Buffer.alloc(64, 0xff)));
    const p2 = decodePacket(later.bytes);
    expect(p2.ipv4).toMatchObject({ mf: false, fragmentOffset: 1480, isFragment: true, protocol: 17 });
    expect(p2.udp).toBeUndefined();
    expect(p2.malformed).toBeUndefined();
  });

  it('ignores Ethernet padding after the IP total length', () => {
    const frame = ethernet({}, Buffer.concat([ipv4({ src: '1.1.1.1', dst: '2.2.2.2' }, udp({ srcPort: 1, dstPort: 2 }, 'ab')).bytes, Buffer.alloc(16)]));
    const p = decodePacket(frame.bytes);
    expect(p.udp?.payloadLength).toBe(2);
    expect(p.malformed).toBeUndefined();
  });
});

describe('IPv6', () => {
  it('decodes the fixed header', () => {
    const p = decodePacket(ethernet({}, ipv6({ src: 'fd00::1', dst: '2001:db8::42', hopLimit: 9, flowLabel: 0x12345, trafficClass: 0xb8 }, udp({ srcPort: 1, dstPort: 2 }))).bytes);
    expect(p.ipv6).toEqual({
      trafficClass: 0xb8,
      flowLabel: 0x12345,
      payloadLength: 8,
      nextHeader: 17,
      protocol: 17,
      hopLimit: 9,
      src: 'fd00::1',
      dst: '2001:db8::42',
      extensionHeaders: [],
      isFragment: false,
      fragmentOffset: 0,
    });
    expect(p.udp?.dstPort).toBe(2);
  });

  it('skips hop-by-hop and fragment extension headers', () => {
    const first = ipv6({ src: '::1', dst: '::2', hopByHop: true, fragment: { offset: 0, mf: true, id: 5 } }, udp({ srcPort: 7, dstPort: 8 }));
    const p = decodePacket(ethernet({}, first).bytes);
    expect(p.ipv6).toMatchObject({ nextHeader: 0, protocol: 17, extensionHeaders: [0, 44], isFragment: true, fragmentOffset: 0 });
    expect(p.udp?.srcPort).toBe(7);
    const later = ipv6({ src: '::1', dst: '::2', nextHeader: 17, fragment: { offset: 1448, mf: false, id: 5 } }, Buffer.alloc(16));
    const q = decodePacket(ethernet({}, later).bytes);
    expect(q.ipv6).toMatchObject({ fragmentOffset: 1448, isFragment: true });
    expect(q.udp).toBeUndefined();
    expect(q.malformed).toBeUndefined();
  });
});
