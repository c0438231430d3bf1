import { describe, expect, it } from 'vitest';
import { ethernet, ipv4 } from './builder.ts';
import { icmp, tcp, udp } from './builder-transport.ts';
import { decodePacket } from './decoder.ts';
import { hex, ICMPV6_ECHO_HEX, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

const ip = (payload: Parameters<typeof ipv4>[1]) => ethernet({}, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, payload)).bytes;

describe('transport layers', () => {
  it('decodes UDP', () => {
    expect(decodePacket(hex(VXLAN_PING_HEX)).udp).toEqual({ srcPort: 8472, dstPort: 8472, length: 66, checksum: 0xda6e, payloadLength: 58 });
  });

  it('decodes a TCP SYN with MSS, SACK-permitted, timestamps and window scale', () => {
    expect(decodePacket(hex(TCP_SYN_HEX)).tcp).toEqual({
      srcPort: 43210,
      dstPort: 80,
      seq: 1000,
      ack: 0,
      headerLength: 40,
      flagBits: 0x002,
      flags: { fin: false, syn: true, rst: false, psh: false, ack: false, urg: false, ece: false, cwr: false },
      window: 64240,
      checksum: 0x8c09,
      urgentPointer: 0,
      options: { mss: 1460, sackPermitted: true, timestamp: { value: 1, echo: 0 }, windowScale: 7 },
      payloadLength: 0,
    });
  });

  it('decodes TCP flags, a 32-bit sequence number, SACK blocks and payload length', () => {
    const seg = tcp({ srcPort: 80, dstPort: 43210, seq: 0xfffffff0, ack: 0x80000001, flags: 'PA', window: 501 }, 'hello');
    const p = decodePacket(ip(seg));
    expect(p.tcp).toMatchObject({ seq: 0xfffffff0, ack: 0x80000001, flagBits: 0x18, window: 501, payloadLength: 5, options: undefined });
    expect(p.tcp?.flags).toMatchObject({ psh: true, ack: true, syn: false });
    const withSack = Buffer.from(seg.bytes);
    const raw = Buffer.concat([withSack.subarray(0, 20), Buffer.from([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9]), Buffer.from('hello')]);
    raw[12] = (32 / 4) << 4;
    const p2 = decodePacket(ethernet({}, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6 }, raw)).bytes);
    expect(p2.tcp?.options).toEqual({ sack: [[1, 9]] });
    expect(p2.tcp?.payloadLength).toBe(5);
  });

  it('decodes ICMP echo with id and sequence', () => {
    expect(decodePacket(hex(VXLAN_PING_HEX)).inner?.icmp).toEqual({ type: 'echo-request', typeNumber: 8, code: 0, checksum: 0x6668, id: 1, seq: 1 });
  });

  it('names other ICMP types and keeps unknown ones by number', () => {
    const unreachable = decodePacket(ip(icmp({ type: 'dest-unreachable', code: 3 }, Buffer.alloc(28))));
    expect(unreachable.icmp).toMatchObject({ type: 'dest-unreachable', typeNumber: 3, code: 3, id: undefined, seq: undefined });
    expect(decodePacket(ip(icmp({ type: 11 }))).icmp?.type).toBe('time-exceeded');
    expect(decodePacket(ip(icmp({ type: 42 }))).icmp).toMatchObject({ type: 'type-42', typeNumber: 42 });
  });

  it('decodes ICMPv6 echo', () => {
    const p = decodePacket(hex(ICMPV6_ECHO_HEX));
    expect(p.icmpv6).toEqual({ type: 'echo-request', typeNumber: 128, code: 0, checksum: 0x1d43, id: 7, seq: 3 });
    expect(p.icmp).toBeUndefined();
  });

  it('decodes a UDP header with no payload', () => {
    expect(decodePacket(ip(udp({ srcPort: 1, dstPort: 2 }))).udp?.payloadLength).toBe(0);
  });
});
