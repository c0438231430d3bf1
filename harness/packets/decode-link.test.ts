import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6, sll } from './builder.ts';
import { udp } from './builder-transport.ts';
import { decodePacket } from './decoder.ts';
import { LINKTYPE_IPV4, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from './link-types.ts';
import { ARP_REQUEST_HEX, hex, VLAN_UDP_HEX } from './test-frames.ts';

describe('link layers', () => {
  it('decodes Ethernet with an 802.1Q tag', () => {
    const p = decodePacket(hex(VLAN_UDP_HEX));
    expect(p.eth).toEqual({
      dst: '02:00:00:00:00:02',
      src: '02:00:00:00:00:01',
      etherType: 0x0800,
      vlans: [{ tpid: 0x8100, id: 10, priority: 0, dei: false }],
    });
    expect(p.udp).toMatchObject({ srcPort: 53, dstPort: 53, length: 11, payloadLength: 3 });
    expect(p.malformed).toBeUndefined();
  });

  it('decodes QinQ (two tags, outermost first)', () => {
    const p = decodePacket(ethernet({ vlan: [100, 20] }, ipv4({ src: '1.2.3.4', dst: '5.6.7.8' }, udp({ srcPort: 1, dstPort: 2 }))).bytes);
    expect(p.eth?.vlans?.map((v) => v.id)).toEqual([100, 20]);
    expect(p.ipv4?.dst).toBe('5.6.7.8');
  });

  it('decodes an ARP request', () => {
    const p = decodePacket(hex(ARP_REQUEST_HEX));
    expect(p.eth?.dst).toBe('ff:ff:ff:ff:ff:ff');
    expect(p.arp).toEqual({
      opcode: 1,
      op: 'request',
      hardwareType: 1,
      protocolType: 0x0800,
      senderMac: '02:00:00:00:00:01',
      senderIp: '10.0.0.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.0.0.2',
    });
  });

  it('decodes Linux cooked captures, v1 and v2', () => {
    const ip = ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: 5, dstPort: 6 }));
    const v1 = decodePacket(sll({ packetType: 4, address: 'aa:bb:cc:dd:ee:ff' }, ip).bytes, { linkType: LINKTYPE_LINUX_SLL });
    expect(v1.sll).toEqual({ version: 1, packetType: 4, direction: 'out', arphrdType: 1, address: 'aa:bb:cc:dd:ee:ff', protocol: 0x0800, ifindex: undefined });
    expect(v1.udp?.dstPort).toBe(6);
    const v2 = decodePacket(sll({ version: 2, ifindex: 7 }, ipv6({ src: 'fd00::1', dst: 'fd00::2' }, udp({ srcPort: 5, dstPort: 6 }))).bytes, {
      linkType: LINKTYPE_LINUX_SLL2,
    });
    expect(v2.sll).toMatchObject({ version: 2, ifindex: 7, direction: 'in', protocol: 0x86dd });
    expect(v2.ipv6?.dst).toBe('fd00::2');
    expect(v2.eth).toBeUndefined();
  });

  it('decodes raw IP link types by the version nibble', () => {
    const v4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: 5, dstPort: 6 })).bytes;
    const v6 = ipv6({ src: '::1', dst: '::2' }, udp({ srcPort: 5, dstPort: 6 })).bytes;
    expect(decodePacket(v4, { linkType: LINKTYPE_RAW }).ipv4?.src).toBe('10.0.0.1');
    expect(decodePacket(v6, { linkType: LINKTYPE_RAW }).ipv6?.src).toBe('::1');
    expect(decodePacket(v4, { linkType: LINKTYPE_IPV4 }).udp?.srcPort).toBe(5);
  });

  it('leaves unknown link types and EtherTypes undecoded but not malformed', () => {
    const p = decodePacket(Buffer.alloc(60), { linkType: 147 });
    expect(p.eth).toBeUndefined();
    expect(p.malformed).toBeUndefined();
    const lldp = decodePacket(ethernet({ type: 0x88cc }, Buffer.alloc(46)).bytes);
    expect(lldp.eth?.etherType).toBe(0x88cc);
    expect(lldp.malformed).toBeUndefined();
  });
});
