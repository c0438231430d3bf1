import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6, vxlan } from './builder.ts';
import { icmp, icmpv6, tcp, udp } from './builder-transport.ts';
import { decodePacket } from './decoder.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from './link-types.ts';
import type { Packet } from './packet.ts';
import { decodePcapBuffer } from './pcap-reader.ts';
import { encodePcap } from './pcap-writer.ts';
import { PcapFormatError } from './errors.ts';
import { summary } from './summary.ts';

const linkTypes = fc.constantFrom(LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW);

const validFrame = fc
  .record({
    kind: fc.constantFrom('vxlan-icmp', 'vxlan-tcp', 'tcp', 'udp', 'icmpv6'),
    vni: fc.integer({ min: 0, max: 0xffffff }),
    seq: fc.integer({ min: 0, max: 0xffff }),
    port: fc.integer({ min: 1, max: 65535 }),
    payload: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ kind, vni, seq, port, payload }) => {
    const syn = tcp({ srcPort: port, dstPort: 80, flags: 'S', mss: 1460, timestamp: { value: seq, echo: 0 }, windowScale: 7 }, payload);
    const ping = ipv4({ src: '11.10.16.2', dst: '11.10.32.2' }, icmp({ type: 'echo-request', id: 1, seq }, payload));
    const inner = ethernet({}, kind === 'vxlan-tcp' ? ipv4({ src: '11.10.16.2', dst: '100.64.10.1' }, syn) : ping);
    if (kind === 'tcp') return ethernet({ vlan: 5 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, syn)).bytes;
    if (kind === 'udp') return ethernet({}, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: port, dstPort: 53 }, payload))).bytes;
    if (kind === 'icmpv6') return ethernet({}, ipv6({ src: 'fd00::1', dst: 'fd00::2', hopByHop: true }, icmpv6({ type: 'echo-reply', id: 1, seq }, payload))).bytes;
    return ethernet({}, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ srcPort: port, dstPort: 8472 }, vxlan({ vni }, inner)))).bytes;
  });

function checkPacket(p: Packet, length: number): void {
  expect(p.capturedLength).toBe(length);
  summary(p); // summaries never throw either
  if (p.malformed) {
    expect(p.malformed.offset).toBeGreaterThanOrEqual(0);
    expect(p.malformed.offset).toBeLessThanOrEqual(length);
    expect(p.malformed.reason.length).toBeGreaterThan(0);
    expect(p.malformed.reason).not.toMatch(/^decoder error/);
  }
}

describe('decoder robustness (property-based)', () => {
  it('never throws on random bytes, and a fault carries offset and reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), linkTypes, (bytes, linkType) => {
        checkPacket(decodePacket(bytes, { linkType }), bytes.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes every truncation of a valid frame as malformed or cut, never throwing', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), fc.boolean(), (frame, n, snaplen) => {
        const cut = n % (frame.length + 1);
        const p = decodePacket(frame.subarray(0, cut), snaplen ? { originalLength: frame.length } : {});
        checkPacket(p, cut);
        if (cut < 14) expect(p.malformed).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('survives random corruption of valid frames', () => {
    fc.assert(
      fc.property(validFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (frame, edits) => {
        const b = Buffer.from(frame);
        for (const [at, value] of edits) b[at % b.length] = value;
        checkPacket(decodePacket(b), b.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('valid frames decode without faults', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const p = decodePacket(frame);
        expect(p.malformed).toBeUndefined();
        expect(p.ipv4?.checksumOk ?? true).toBe(true);
      }),
    );
  });

  it('reads any truncation of a pcap file: a PcapFormatError or packets, the last maybe malformed', () => {
    fc.assert(
      fc.property(fc.array(validFrame, { minLength: 1, maxLength: 5 }), fc.nat(), (frames, n) => {
        const file = encodePcap(frames.map((data) => ({ data })));
        const cut = file.subarray(0, n % (file.length + 1));
        try {
          const list = decodePcapBuffer(cut);
          expect(list.count).toBeLessThanOrEqual(frames.length);
          list.packets.slice(0, -1).forEach((p) => expect(p.malformed).toBeUndefined());
        } catch (error) {
          expect(error).toBeInstanceOf(PcapFormatError);
          expect(cut.length).toBeLessThan(24);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
