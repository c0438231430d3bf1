import { describe, expect, it } from 'vitest';
import { decodePacket } from './decoder.ts';
import { PacketList } from './packet-list.ts';
import { hex, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

const list = new PacketList([decodePacket(hex(VXLAN_PING_HEX), { index: 1 }), decodePacket(hex(TCP_SYN_HEX), { index: 2 }), decodePacket(hex(VXLAN_PING_HEX), { index: 3 })]);

describe('PacketList', () => {
  it('filters by shape or predicate and counts', () => {
    expect(list.count).toBe(3);
    expect(list.where({ vxlan: { vni: 100 } }).count).toBe(2);
    expect(list.where((p) => p.tcp?.flags.syn === true).count).toBe(1);
    expect(list.where({ vxlan: { vni: 1 } }).count).toBe(0);
    expect(list.first({ tcp: { dstPort: 80 } })?.index).toBe(2);
    expect(list.at(-1)?.index).toBe(3);
    expect([...list].map((p) => p.index)).toEqual([1, 2, 3]);
  });

  it('summarises each packet', () => {
    expect(list.where({ tcp: {} }).summaries()).toEqual(['10.0.0.1 → 10.0.0.2 TCP 43210 → 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=128']);
  });
});
