import { describe, expect, it } from 'vitest';
import { ethernet, ipv4 } from './builder.ts';
import { tcp, udp } from './builder-transport.ts';
import { decodePacket } from './decoder.ts';
import { summary } from './summary.ts';
import { hex, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

describe('malformed frames', () => {
  it('marks a frame too short for Ethernet', () => {
    const p = decodePacket(Buffer.from([1, 2, 3]));
    expect(p.malformed).toEqual({ offset: 0, reason: 'truncated Ethernet header: need 14 bytes, have 3', layer: 'eth' });
    expect(p.eth).toBeUndefined();
  });

  it('keeps the layers decoded before a truncated TCP header', () => {
    const frame = hex(TCP_SYN_HEX).subarray(0, 14 + 20 + 10);
    const p = decodePacket(frame);
    expect(p.eth?.etherType).toBe(0x0800);
    expect(p.ipv4).toBeDefined();
    expect(p.tcp).toBeUndefined();
    expect(p.malformed?.layer).toBe('ipv4');
    expect(p.malformed?.reason).toMatch(/IPv4 total length 60 but only 30 bytes/);
  });

  it('says when a snaplen cut falls inside a header, and decodes what is there', () => {
    const full = hex(TCP_SYN_HEX);
    const cut = full.subarray(0, 14 + 20 + 30);
    const p = decodePacket(cut, { originalLength: full.length });
    expect(p.cut).toBe(true);
    expect(p.ipv4?.totalLength).toBe(60);
    expect(p.malformed).toEqual({
      offset: 34,
      reason: 'truncated TCP header with options: need 40 bytes, have 30 (frame cut by the capture snaplen)',
      layer: 'tcp',
    });
  });

  it('does not call a snaplen cut in the payload malformed', () => {
    const full = hex(VXLAN_PING_HEX);
    const p = decodePacket(full.subarray(0, full.length - 4), { originalLength: full.length });
    expect(p.cut).toBe(true);
    expect(p.inner?.icmp?.seq).toBe(1);
    expect(p.malformed).toBeUndefined();
  });

  it('reports a fault inside a VXLAN inner frame on both packets, at the outer offset', () => {
    const full = hex(VXLAN_PING_HEX);
    const p = decodePacket(full.subarray(0, 50 + 14 + 10), { originalLength: full.length });
    expect(p.vxlan?.vni).toBe(100);
    expect(p.inner?.eth).toBeDefined();
    expect(p.inner?.malformed).toMatchObject({ offset: 14, layer: 'ipv4' });
    expect(p.malformed).toMatchObject({ offset: 64, layer: 'inner.ipv4' });
    expect(p.malformed?.reason).toMatch(/^inner frame: truncated IPv4 header/);
    expect(summary(p)).toMatch(/VXLAN vni=100 \[.*\[Malformed ipv4: truncated IPv4 header/);
  });

  it('flags bad header fields with the offset of the field', () => {
    const bad = (mutate: (b: Buffer) => void) => {
      const b = Buffer.from(hex(TCP_SYN_HEX));
      mutate(b);
      return decodePacket(b).malformed;
    };
    expect(bad((b) => (b[14] = 0x65))).toEqual({ offset: 14, reason: 'IPv4 version field is 6', layer: 'ipv4' });
    expect(bad((b) => (b[14] = 0x43))).toEqual({ offset: 14, reason: 'IPv4 header length 12 < 20', layer: 'ipv4' });
    expect(bad((b) => b.writeUInt16BE(10, 16))).toMatchObject({ offset: 16, layer: 'ipv4' });
    expect(bad((b) => (b[46] = 0x30))).toEqual({ offset: 46, reason: 'TCP header length 12 < 20', layer: 'tcp' });
    expect(bad((b) => (b[55] = 0))).toEqual({ offset: 54, reason: 'bad length of TCP option 2', layer: 'tcp' });
  });

  it('flags a UDP length that does not fit', () => {
    const short = decodePacket(ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2' }, udp({ srcPort: 1, dstPort: 2, length: 4 }))).bytes);
    expect(short.malformed).toEqual({ offset: 38, reason: 'UDP length 4 < 8', layer: 'udp' });
    const long = decodePacket(ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2' }, udp({ srcPort: 1, dstPort: 2, length: 500 }, 'abc'))).bytes);
    expect(long.malformed?.reason).toBe('UDP length 500 but only 11 bytes follow');
    expect(long.udp?.payloadLength).toBe(3);
  });

  it('decodes random bytes without throwing', () => {
    const p = decodePacket(Buffer.from('0800450000ff', 'hex'));
    expect(p.malformed?.layer).toBe('eth');
    const noise = decodePacket(ethernet({}, tcp({ srcPort: 1, dstPort: 2 })).bytes);
    expect(noise.malformed?.reason).toMatch(/IPv4 version field is 0/);
  });
});
