/**
 * Builds synthetic frames for tests and benchmarks, layer by layer from the inside out:
 * `ethernet({}, ipv4({ src, dst }, udp({ srcPort, dstPort }, payload)))`. Lengths, EtherTypes,
 * IP protocol numbers and checksums (IPv4 header, UDP/TCP/ICMPv6 with the pseudo-header) are
 * filled in; options let a test override them to build broken packets.
 */
import { parseIpv4, parseIpv6, parseMac } from './addresses.ts';
import { internetChecksum, onesComplementSum } from './checksum.ts';

export type BuiltKind = 'ethernet' | 'sll' | 'arp' | 'ipv4' | 'ipv6' | 'udp' | 'tcp' | 'icmp' | 'icmpv6' | 'vxlan';

/** One built layer with everything inside it. `bytes` of an `ethernet` layer is a whole frame. */
export interface Built {
  readonly kind: BuiltKind;
  readonly bytes: Buffer;
}

export type Payload = Built | Uint8Array | string | undefined;

export function payloadBytes(payload: Payload): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  return payload.bytes;
}

function kindOf(payload: Payload): BuiltKind | undefined {
  return payload !== undefined && typeof payload === 'object' && 'kind' in payload ? payload.kind : undefined;
}

const ETHERTYPES: Partial<Record<BuiltKind, number>> = { ipv4: 0x0800, ipv6: 0x86dd, arp: 0x0806 };
const IP_PROTOCOLS: Partial<Record<BuiltKind, number>> = { udp: 17, tcp: 6, icmp: 1, icmpv6: 58 };
const CHECKSUM_AT: Partial<Record<BuiltKind, number>> = { udp: 6, tcp: 16, icmpv6: 2 };

export interface EthernetSpec {
  src?: string;
  dst?: string;
  /** EtherType; default from the payload (IPv4, IPv6, ARP). */
  type?: number;
  /** 802.1Q VLAN id(s), outermost first. */
  vlan?: number | number[];
}

export function ethernet(spec: EthernetSpec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const vlans = spec.vlan === undefined ? [] : [spec.vlan].flat();
  const b = Buffer.alloc(14 + 4 * vlans.length + body.length);
  b.set(parseMac(spec.dst ?? '02:00:00:00:00:02'), 0);
  b.set(parseMac(spec.src ?? '02:00:00:00:00:01'), 6);
  let at = 12;
  for (const id of vlans) {
    b.writeUInt16BE(0x8100, at);
    b.writeUInt16BE(id & 0x0fff, at + 2);
    at += 4;
  }
  b.writeUInt16BE(spec.type ?? ETHERTYPES[kindOf(payload) ?? 'ipv4'] ?? 0x0800, at);
  b.set(body, at + 2);
  return { kind: 'ethernet', bytes: b };
}

export interface SllSpec {
  /** 2 (SLL2, link type 276) or 1 (SLL, 113); default 1. */
  version?: 1 | 2;
  packetType?: number;
  address?: string;
  protocol?: number;
  ifindex?: number;
}

/** A Linux cooked capture header (what `tcpdump -i any` writes) in front of an IP packet. */
export function sll(spec: SllSpec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const protocol = spec.protocol ?? ETHERTYPES[kindOf(payload) ?? 'ipv4'] ?? 0x0800;
  const mac = parseMac(spec.address ?? '02:00:00:00:00:01');
  if (spec.version === 2) {
    const b = Buffer.alloc(20 + body.length);
    b.writeUInt16BE(protocol, 0);
    b.writeUInt32BE(spec.ifindex ?? 1, 4);
    b.writeUInt16BE(1, 8);
    b[10] = spec.packetType ?? 0;
    b[11] = 6;
    b.set(mac, 12);
    b.set(body, 20);
    return { kind: 'sll', bytes: b };
  }
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt16BE(spec.packetType ?? 0, 0);
  b.writeUInt16BE(1, 2);
  b.writeUInt16BE(6, 4);
  b.set(mac, 6);
  b.writeUInt16BE(protocol, 14);
  b.set(body, 16);
  return { kind: 'sll', bytes: b };
}

export interface ArpSpec {
  op: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac?: string;
  targetIp: string;
}

export function arp(spec: ArpSpec): Built {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(spec.op === 'request' ? 1 : 2, 6);
  b.set(parseMac(spec.senderMac), 8);
  b.set(parseIpv4(spec.senderIp), 14);
  b.set(parseMac(spec.targetMac ?? '00:00:00:00:00:00'), 18);
  b.set(parseIpv4(spec.targetIp), 24);
  return { kind: 'arp', bytes: b };
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Default from the payload (UDP 17, TCP 6, ICMP 1). */
  protocol?: number;
  /** Override the computed header checksum (to build a bad one). */
  checksum?: number;
  /** Override the computed total length. */
  totalLength?: number;
  /** Fill the UDP/TCP checksum of the payload; default true. */
  transportChecksum?: boolean;
}

function fillTransportChecksum(b: Buffer, start: number, kind: BuiltKind | undefined, pseudo: number): void {
  const at = kind === undefined ? undefined : CHECKSUM_AT[kind];
  if (at === undefined || b.length < start + at + 2) return;
  b.writeUInt16BE(0, start + at);
  let sum = internetChecksum(b, start, b.length, pseudo);
  if (sum === 0 && kind === 'udp') sum = 0xffff;
  b.writeUInt16BE(sum, start + at);
}

export function ipv4(spec: Ipv4Spec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const kind = kindOf(payload);
  const b = Buffer.alloc(20 + body.length);
  const protocol = spec.protocol ?? IP_PROTOCOLS[kind ?? 'udp'] ?? 0;
  b[0] = 0x45;
  b[1] = spec.tos ?? 0;
  b.writeUInt16BE(spec.totalLength ?? b.length, 2);
  b.writeUInt16BE(spec.id ?? 0, 4);
  b.writeUInt16BE((spec.df ? 0x4000 : 0) | (spec.mf ? 0x2000 : 0) | ((spec.fragmentOffset ?? 0) >> 3), 6);
  b[8] = spec.ttl ?? 64;
  b[9] = protocol;
  b.set(parseIpv4(spec.src), 12);
  b.set(parseIpv4(spec.dst), 16);
  b.writeUInt16BE(spec.checksum ?? internetChecksum(b, 0, 20), 10);
  b.set(body, 20);
  if (spec.transportChecksum !== false && kind !== 'icmp' && !spec.mf && !spec.fragmentOffset) {
    const pseudo = onesComplementSum(b, 12, 20, protocol + body.length);
    fillTransportChecksum(b, 20, kind, pseudo);
  }
  return { kind: 'ipv4', bytes: b };
}

export interface Ipv6Spec {
  src: string;
  dst: string;
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  /** Default from the payload (UDP 17, TCP 6, ICMPv6 58). */
  nextHeader?: number;
  /** Put an empty hop-by-hop options header first. */
  hopByHop?: boolean;
  /** Put a fragment header before the payload. */
  fragment?: { offset: number; mf: boolean; id: number };
}

export function ipv6(spec: Ipv6Spec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const kind = kindOf(payload);
  const upper = spec.nextHeader ?? IP_PROTOCOLS[kind ?? 'udp'] ?? 59;
  const ext: { type: number; bytes: Buffer }[] = [];
  if (spec.hopByHop) ext.push({ type: 0, bytes: Buffer.from([0, 0, 1, 4, 0, 0, 0, 0]) });
  if (spec.fragment) {
    const f = Buffer.alloc(8);
    f.writeUInt16BE((spec.fragment.offset & 0xfff8) | (spec.fragment.mf ? 1 : 0), 2);
    f.writeUInt32BE(spec.fragment.id, 4);
    ext.push({ type: 44, bytes: f });
  }
  ext.forEach((e, k) => (e.bytes[0] = ext[k + 1]?.type ?? upper));
  const extBytes = Buffer.concat(ext.map((e) => e.bytes));
  const b = Buffer.alloc(40 + extBytes.length + body.length);
  b.writeUInt32BE(((6 << 28) | ((spec.trafficClass ?? 0) << 20) | (spec.flowLabel ?? 0)) >>> 0, 0);
  b.writeUInt16BE(extBytes.length + body.length, 4);
  b[6] = ext[0]?.type ?? upper;
  b[7] = spec.hopLimit ?? 64;
  b.set(parseIpv6(spec.src), 8);
  b.set(parseIpv6(spec.dst), 24);
  b.set(extBytes, 40);
  const start = 40 + extBytes.length;
  b.set(body, start);
  if (!spec.fragment) fillTransportChecksum(b, start, kind, onesComplementSum(b, 8, 40, upper + body.length));
  return { kind: 'ipv6', bytes: b };
}

export interface VxlanSpec {
  vni: number;
  /** Default 0x08 (the I flag). */
  flags?: number;
}

export function vxlan(spec: VxlanSpec, inner?: Payload): Built {
  const body = payloadBytes(inner);
  const b = Buffer.alloc(8 + body.length);
  b[0] = spec.flags ?? 0x08;
  b[4] = (spec.vni >> 16) & 0xff;
  b[5] = (spec.vni >> 8) & 0xff;
  b[6] = spec.vni & 0xff;
  b.set(body, 8);
  return { kind: 'vxlan', bytes: b };
}
