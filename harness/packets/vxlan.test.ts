import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, vxlan } from './builder.ts';
import { icmp, tcp, udp } from './builder-transport.ts';
import { decodePacket, PacketDecoder } from './decoder.ts';
import { protocolsOf } from './protocols.ts';
import { summary } from './summary.ts';
import { hex, VXLAN_PING_HEX } from './test-frames.ts';

function vxlanFrame(port: number, vni: number, inner: ReturnType<typeof ethernet>) {
  return ethernet({}, ipv4({ src: '192.168.0.1', dst: '192.168.0.2' }, udp({ srcPort: 40000, dstPort: port }, vxlan({ vni }, inner)))).bytes;
}

const innerSyn = ethernet({}, ipv4({ src: '11.10.16.2', dst: '100.64.10.1' }, tcp({ srcPort: 50000, dstPort: 80, flags: 'S', seq: 7 })));

describe('VXLAN', () => {
  it('decodes the header and the inner frame as a full packet', () => {
    const p = decodePacket(hex(VXLAN_PING_HEX));
    expect(p.vxlan).toEqual({ flags: 0x08, vniValid: true, vni: 100 });
    expect(p.inner).toMatchObject({
      index: 1,
      capturedLength: 50,
      originalLength: 50,
      linkType: 1,
      eth: { src: '0a:58:0b:0a:10:02', dst: '0a:58:0b:0a:20:02', etherType: 0x0800 },
      ipv4: { src: '11.10.16.2', dst: '11.10.32.2', protocol: 1 },
      icmp: { type: 'echo-request', id: 1, seq: 1 },
      malformed: undefined,
    });
    expect(protocolsOf(p)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp']);
    expect(summary(p)).toBe(
      '10.0.0.1 → 10.0.0.2 UDP 8472 → 8472 VXLAN vni=100 [11.10.16.2 → 11.10.32.2 ICMP Echo (ping) request id=0x0001, seq=1/256]',
    );
  });

  it('recognises the default ports 8472 and 4789 and only the configured ones', () => {
    expect(decodePacket(vxlanFrame(4789, 7, innerSyn)).inner?.tcp?.flags.syn).toBe(true);
    expect(decodePacket(vxlanFrame(9999, 7, innerSyn)).vxlan).toBeUndefined();
    const custom = new PacketDecoder({ vxlanPorts: [9999] });
    expect(custom.decode(vxlanFrame(9999, 7, innerSyn)).vxlan?.vni).toBe(7);
    expect(custom.decode(vxlanFrame(8472, 7, innerSyn)).vxlan).toBeUndefined();
  });

  it('decodes VXLAN inside VXLAN recursively', () => {
    const middle = ethernet({}, ipv4({ src: '3.3.3.3', dst: '4.4.4.4' }, udp({ srcPort: 1, dstPort: 8472 }, vxlan({ vni: 0xffffff }, innerSyn))));
    const doubly = ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2' }, udp({ srcPort: 1, dstPort: 4789 }, vxlan({ vni: 2 }, middle))));
    const p = decodePacket(doubly.bytes);
    expect(p.inner?.vxlan?.vni).toBe(0xffffff);
    expect(p.inner?.inner?.tcp?.dstPort).toBe(80);
  });

  it('keeps the frame bytes only when asked', () => {
    const bytes = hex(VXLAN_PING_HEX);
    expect(decodePacket(bytes).data).toBeUndefined();
    expect(new PacketDecoder({ keepData: true }).decode(bytes).data).toEqual(bytes);
  });

  it('summarises an inner TCP SYN and an ICMP error', () => {
    expect(summary(decodePacket(vxlanFrame(8472, 1, innerSyn)))).toBe(
      '192.168.0.1 → 192.168.0.2 UDP 40000 → 8472 VXLAN vni=1 [11.10.16.2 → 100.64.10.1 TCP 50000 → 80 [SYN] Seq=7 Win=64240 Len=0]',
    );
    const err = ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2' }, icmp({ type: 'dest-unreachable', code: 3 }, Buffer.alloc(28))));
    expect(summary(decodePacket(err.bytes))).toBe('1.1.1.1 → 2.2.2.2 ICMP Destination unreachable (Port unreachable)');
  });
});
