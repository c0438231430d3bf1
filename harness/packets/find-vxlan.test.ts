import { describe, expect, it } from 'vitest';
import { decodePacket } from './decoder.ts';
import { findVxlan } from './find-vxlan.ts';
import { hex, TCP_SYN_HEX, VXLAN_PING_HEX } from './test-frames.ts';

const packets = [decodePacket(hex(TCP_SYN_HEX)), decodePacket(hex(VXLAN_PING_HEX))];

describe('findVxlan', () => {
  it('passes when a VXLAN packet has the VNI, addresses and inner shape', () => {
    const r = findVxlan(packets, { vni: 100, port: 8472, src: '10.0.0.1', dst: '10.0.0.2', inner: { icmp: 'echo-request', ipv4: { dst: '11.10.32.2' } } });
    expect(r).toMatchObject({ pass: true, matched: 1 });
    expect(r.closest[0]).toMatch(/VXLAN vni=100/);
    expect(findVxlan(packets, {}).pass).toBe(true);
  });

  it('fails with the closest packets and what differed', () => {
    const r = findVxlan(packets, { vni: 200, inner: { icmp: 'echo-reply' } });
    expect(r.pass).toBe(false);
    expect(r.matched).toBe(0);
    expect(r.closest[0]).toMatch(/VXLAN vni=100/);
    expect(r.closestMismatches[0]).toEqual(['vxlan.vni: expected 200, got 100', 'inner.icmp.type: expected "echo-reply", got "echo-request"']);
    expect(r.closest[1]).toMatch(/TCP/);
  });
});
