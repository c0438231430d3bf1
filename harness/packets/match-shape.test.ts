import { describe, expect, it } from 'vitest';
import { decodePacket } from './decoder.ts';
import { formatMismatch, matchShape } from './match-shape.ts';
import { hex, VXLAN_PING_HEX } from './test-frames.ts';

const p = decodePacket(hex(VXLAN_PING_HEX));

describe('matchShape', () => {
  it('matches a nested partial shape', () => {
    expect(matchShape(p, { vxlan: { vni: 100 }, ipv4: { dst: '10.0.0.2' }, inner: { icmp: { type: 'echo-request' } } })).toEqual({ ok: true, mismatches: [] });
  });

  it('lists every mismatching field with its path', () => {
    const m = matchShape(p, { vxlan: { vni: 200 }, tcp: { dstPort: 80 }, inner: { icmp: { type: 'echo-reply', seq: 1 } } });
    expect(m.ok).toBe(false);
    expect(m.mismatches.map(formatMismatch)).toEqual([
      'vxlan.vni: expected 200, got 100',
      'tcp: expected {…}, got undefined',
      'inner.icmp.type: expected "echo-reply", got "echo-request"',
    ]);
  });

  it('accepts predicates, regular expressions, arrays, explicit undefined and the type shorthand', () => {
    expect(matchShape(p, { udp: { dstPort: (port: number) => port > 8000 }, ipv4: { src: /^10\./ }, tcp: undefined, inner: { icmp: 'echo-request' } }).ok).toBe(true);
    expect(matchShape(p, { eth: { vlans: [{ id: 10 }] } }).mismatches[0]?.path).toBe('eth.vlans');
    expect(matchShape(p, { inner: { icmp: 'echo-reply' } }).mismatches[0]).toEqual({ path: 'inner.icmp.type', expected: 'echo-reply', actual: 'echo-request' });
  });
});
