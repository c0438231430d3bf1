import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, vxlan } from '../packets/builder.ts';
import { icmp, udp } from '../packets/builder-transport.ts';
import { decodePcapBuffer } from '../packets/pcap-reader.ts';
import { encodePcap } from '../packets/pcap-writer.ts';
import './index.ts';

const W1 = '10.0.0.1';
const W2 = '10.0.0.2';
const C1 = '11.10.16.2';
const C2 = '11.10.32.2';

function overlay(type: 'echo-request' | 'echo-reply', vni = 100, port = 8472) {
  const [os, od, is, id] = type === 'echo-request' ? [W1, W2, C1, C2] : [W2, W1, C2, C1];
  const inner = ethernet({}, ipv4({ src: is, dst: id }, icmp({ type, id: 7, seq: 1 }, 'ping')));
  return ethernet({}, ipv4({ src: os, dst: od }, udp({ srcPort: 40000, dstPort: port }, vxlan({ vni }, inner))));
}

function capture(...frames: ReturnType<typeof overlay>[]) {
  return decodePcapBuffer(encodePcap(frames.map((f, k) => ({ data: f.bytes, tsSec: 1_700_000_000 + k }))));
}

describe('toContainVxlan', () => {
  const packets = capture(overlay('echo-request'), overlay('echo-reply'));

  it('passes when a VXLAN packet has every field given', () => {
    expect(packets).toContainVxlan({ vni: 100, outer: { src: W1, dst: W2, dport: 8472 }, inner: { icmp: 'echo-request', src: C1, dst: C2 } });
    expect(packets).toContainVxlan({ outer: { src: W2, sport: 40000 }, inner: { icmp: 'echo-reply', proto: 'icmp' } });
    expect(packets.packets).toContainVxlan({});
  });

  it('fails listing the closest packets and what differed', () => {
    let message = '';
    try {
      expect(packets).toContainVxlan({ vni: 42, outer: { dport: 4789 }, inner: { icmp: 'echo-request' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('toContainVxlan');
    expect(message).toContain('2 packets, 2 VXLAN, 0 matching');
    expect(message).toContain(`${W1} → ${W2} UDP 40000 → 8472 VXLAN vni=100`);
    expect(message).toContain('vxlan.vni: expected 42, got 100');
    expect(message).toContain('udp.dstPort: expected 4789, got 8472');
  });

  it('works with .not, listing the packets that matched', () => {
    expect(packets).not.toContainVxlan({ vni: 42 });
    expect(capture()).not.toContainVxlan({});
    expect(() => expect(packets).not.toContainVxlan({ vni: 100, inner: { icmp: 'echo-reply' } })).toThrow(/Matching packets[\s\S]*Echo \(ping\) reply/);
  });

  it('says "Matcher error" for a value that is not a packet list', () => {
    expect(() => expect('not packets').toContainVxlan({ vni: 100 })).toThrow(/Matcher error: received value must be a PacketList/);
    expect(() => expect([{ a: 1 }]).toContainVxlan({})).toThrow(/Matcher error/);
  });
});
