import { formatMismatch, matchShape, type PacketShape, type ShapeMismatch } from './match-shape.ts';
import type { Packet } from './packet.ts';
import { summary } from './summary.ts';

/** What a VXLAN packet should look like; every field is optional. */
export interface VxlanExpectation {
  vni?: number;
  /** UDP destination port of the outer datagram. */
  port?: number;
  /** Outer IP source / destination (IPv4 or IPv6 text). */
  src?: string;
  dst?: string;
  /** Shape of the inner (encapsulated) packet, e.g. `{ icmp: 'echo-request' }`. */
  inner?: PacketShape;
  /** Any other shape the outer packet must have. */
  outer?: PacketShape;
}

export interface VxlanSearch {
  pass: boolean;
  /** How many packets matched. */
  matched: number;
  /** Up to `limit` packets that came closest (the matches when `pass`), as summaries. */
  closest: string[];
  /** For each of `closest`, the fields that differed, as text. */
  closestMismatches: string[][];
}

/** The shape a packet must have to meet `expected`. */
export function vxlanShape(expected: VxlanExpectation): PacketShape {
  const ipKey = (addr: string) => (addr.includes(':') ? 'ipv6' : 'ipv4');
  const shape: Record<string, unknown> = { ...(expected.outer as object | undefined) };
  shape.vxlan = expected.vni === undefined ? (v: unknown) => v !== undefined : { vni: expected.vni };
  if (expected.port !== undefined) shape.udp = { dstPort: expected.port };
  if (expected.src !== undefined) shape[ipKey(expected.src)] = { src: expected.src };
  if (expected.dst !== undefined) {
    const key = ipKey(expected.dst);
    shape[key] = { ...(shape[key] as object | undefined), dst: expected.dst };
  }
  if (expected.inner !== undefined) shape.inner = expected.inner;
  return shape as PacketShape;
}

/** Looks for a VXLAN packet meeting `expected`; when there is none, says which packets came closest and why. */
export function findVxlan(packets: Iterable<Packet>, expected: VxlanExpectation, limit = 3): VxlanSearch {
  const shape = vxlanShape(expected);
  const ranked: { p: Packet; mismatches: ShapeMismatch[] }[] = [];
  let matched = 0;
  for (const p of packets) {
    const m = matchShape(p, shape);
    if (m.ok) matched++;
    ranked.push({ p, mismatches: m.mismatches });
  }
  // Prefer VXLAN packets, then the fewest differing fields; stable for equal ranks.
  const rank = (r: (typeof ranked)[number]) => r.mismatches.length + (r.p.vxlan ? 0 : 100);
  const closest = ranked
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .slice(0, limit)
    .map(({ r }) => r);
  return {
    pass: matched > 0,
    matched,
    closest: closest.map((r) => summary(r.p)),
    closestMismatches: closest.map((r) => r.mismatches.map(formatMismatch)),
  };
}
