import type { MatcherState } from '@vitest/expect';
import { findVxlan, type VxlanExpectation } from '../packets/find-vxlan.ts';
import type { PacketShape } from '../packets/match-shape.ts';
import type { Packet } from '../packets/packet.ts';
import { PacketList } from '../packets/packet-list.ts';

/** Addresses and ports of one level (outer datagram or inner packet); IPv4 or IPv6 text. */
export interface VxlanLevel {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
}

/** `toContainVxlan`'s expectation: every field optional. */
export interface VxlanMatch {
  vni?: number;
  /** The outer IP/UDP: `{ src: w1.ip, dst: w2.ip, dport: 8472 }`. */
  outer?: VxlanLevel;
  /** The encapsulated packet: `{ icmp: 'echo-request', src: c1.ip, dst: c2.ip }`, or `tcp`/`udp` ports. */
  inner?: VxlanLevel & { icmp?: string; proto?: 'icmp' | 'tcp' | 'udp' };
}

/** How many packets of the capture the failure message shows. */
const CLOSEST = 5;

const ipKey = (addr: string) => (addr.includes(':') ? 'ipv6' : 'ipv4');

function levelShape(level: VxlanLevel & { icmp?: string; proto?: string }, innerLevel: boolean): Record<string, unknown> {
  const shape: Record<string, unknown> = {};
  const put = (key: string, field: string, v: unknown) => {
    shape[key] = { ...(shape[key] as object | undefined), [field]: v };
  };
  if (innerLevel && level.src !== undefined) put(ipKey(level.src), 'src', level.src);
  if (innerLevel && level.dst !== undefined) put(ipKey(level.dst), 'dst', level.dst);
  const l4 = innerLevel && level.proto === 'tcp' ? 'tcp' : 'udp';
  if (level.sport !== undefined) put(l4, 'srcPort', level.sport);
  if (level.dport !== undefined) put(l4, 'dstPort', level.dport);
  if (level.icmp !== undefined) shape[level.src?.includes(':') ? 'icmpv6' : 'icmp'] = level.icmp;
  else if (level.proto !== undefined) shape[level.proto] = (v: unknown) => v !== undefined;
  return shape;
}

/** The matcher's expectation as the packets layer's `VxlanExpectation`. */
export function toVxlanExpectation(m: VxlanMatch): VxlanExpectation {
  const out: VxlanExpectation = {};
  if (m.vni !== undefined) out.vni = m.vni;
  if (m.outer?.src !== undefined) out.src = m.outer.src;
  if (m.outer?.dst !== undefined) out.dst = m.outer.dst;
  if (m.outer) {
    const outer = levelShape(m.outer, false);
    if (Object.keys(outer).length) out.outer = outer as PacketShape;
  }
  if (m.inner) out.inner = levelShape(m.inner, true) as PacketShape;
  return out;
}

function packetsOf(received: unknown): readonly Packet[] | undefined {
  if (received instanceof PacketList) return received.packets;
  if (Array.isArray(received) && received.every((p) => typeof p === 'object' && p !== null && 'index' in p && 'linkType' in p)) {
    return received as Packet[];
  }
  return undefined;
}

/**
 * `expect(packets).toContainVxlan({ vni: 100, outer: { src, dst, dport: 8472 }, inner: { icmp: 'echo-request', src, dst } })`:
 * some packet of the capture is VXLAN and has every field given. The failure lists the
 * packets that came closest and what differed; with `.not`, the packets that matched.
 */
export function toContainVxlan(this: MatcherState, received: unknown, expected: VxlanMatch = {}) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toContainVxlan`, 'packets', 'expected', { isNot: this.isNot });
  const packets = packetsOf(received);
  if (!packets) {
    throw new TypeError(
      `${hint}\n\nMatcher error: received value must be a PacketList (from capture.stop()) or an array of decoded packets\n` +
        `Received: ${this.utils.printReceived(received)}`,
    );
  }
  const search = findVxlan(packets, toVxlanExpectation(expected), CLOSEST);
  const vxlanCount = packets.filter((p) => p.vxlan).length;
  const received_ = `${packets.length} packets, ${vxlanCount} VXLAN, ${search.matched} matching`;
  const listed = search.closest
    .map((s, k) => `  ${s}${search.pass ? '' : search.closestMismatches[k]!.map((m) => `\n      ${m}`).join('')}`)
    .join('\n');
  return {
    pass: search.pass,
    actual: received_,
    expected,
    message: () =>
      `${hint}\n\n` +
      `Expected: ${this.isNot ? 'no VXLAN packet like ' : 'a VXLAN packet like '}${this.utils.printExpected(expected)}\n` +
      `Received: ${this.utils.printReceived(received_)}\n\n` +
      (packets.length === 0
        ? 'The capture is empty.'
        : search.pass
          ? `Matching packets (first ${search.closest.length}):\n${listed}`
          : `Closest packets captured, with what differed:\n${listed}`),
  };
}
