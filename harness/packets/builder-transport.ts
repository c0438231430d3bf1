/** Transport layers for the frame builder; checksums needing the IP pseudo-header are filled by `ipv4`/`ipv6`. */
import { payloadBytes, type Built, type Payload } from './builder.ts';
import { internetChecksum } from './checksum.ts';
import { ICMP_TYPES, ICMPV6_TYPES } from './icmp.ts';

export interface UdpSpec {
  srcPort: number;
  dstPort: number;
  /** Override the length field. */
  length?: number;
}

export function udp(spec: UdpSpec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt16BE(spec.srcPort, 0);
  b.writeUInt16BE(spec.dstPort, 2);
  b.writeUInt16BE(spec.length ?? b.length, 4);
  b.set(body, 8);
  return { kind: 'udp', bytes: b };
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flag letters: S(YN) A(CK) F(IN) R(ST) P(SH) U(RG) E(CE) C(WR), e.g. `SA`. */
  flags?: string;
  window?: number;
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  timestamp?: { value: number; echo: number };
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

function tcpOptions(spec: TcpSpec): number[] {
  const o: number[] = [];
  const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  if (spec.mss !== undefined) o.push(2, 4, spec.mss >> 8, spec.mss & 0xff);
  if (spec.sackPermitted && spec.timestamp) o.push(4, 2);
  else if (spec.sackPermitted) o.push(1, 1, 4, 2);
  else if (spec.timestamp) o.push(1, 1);
  if (spec.timestamp) o.push(8, 10, ...u32(spec.timestamp.value), ...u32(spec.timestamp.echo));
  if (spec.windowScale !== undefined) o.push(1, 3, 3, spec.windowScale);
  while (o.length % 4 !== 0) o.push(0);
  return o;
}

export function tcp(spec: TcpSpec, payload?: Payload): Built {
  const body = payloadBytes(payload);
  const options = tcpOptions(spec);
  const headerLength = 20 + options.length;
  const b = Buffer.alloc(headerLength + body.length);
  b.writeUInt16BE(spec.srcPort, 0);
  b.writeUInt16BE(spec.dstPort, 2);
  b.writeUInt32BE((spec.seq ?? 0) >>> 0, 4);
  b.writeUInt32BE((spec.ack ?? 0) >>> 0, 8);
  b[12] = (headerLength / 4) << 4;
  b[13] = [...(spec.flags ?? '')].reduce((bits, letter) => bits | (FLAG_BITS[letter.toUpperCase()] ?? 0), 0);
  b.writeUInt16BE(spec.window ?? 64_240, 14);
  b.set(options, 20);
  b.set(body, headerLength);
  return { kind: 'tcp', bytes: b };
}

export interface IcmpSpec {
  /** A type name (`echo-request`, `dest-unreachable`...) or number. */
  type: string | number;
  code?: number;
  id?: number;
  seq?: number;
  /** The 4 bytes after the checksum for non-echo types (default zero). */
  rest?: number;
}

function typeNumber(type: string | number, table: Readonly<Record<number, string>>): number {
  if (typeof type === 'number') return type;
  const found = Object.entries(table).find(([, name]) => name === type);
  if (!found) throw new TypeError(`unknown ICMP type name ${JSON.stringify(type)}`);
  return Number(found[0]);
}

function icmpMessage(spec: IcmpSpec, type: number, payload: Payload): Buffer {
  const body = payloadBytes(payload);
  const b = Buffer.alloc(8 + body.length);
  b[0] = type;
  b[1] = spec.code ?? 0;
  if (spec.id !== undefined || spec.seq !== undefined) {
    b.writeUInt16BE(spec.id ?? 0, 4);
    b.writeUInt16BE(spec.seq ?? 0, 6);
  } else {
    b.writeUInt32BE((spec.rest ?? 0) >>> 0, 4);
  }
  b.set(body, 8);
  return b;
}

/** An ICMP (IPv4) message with its checksum. */
export function icmp(spec: IcmpSpec, payload?: Payload): Built {
  const b = icmpMessage(spec, typeNumber(spec.type, ICMP_TYPES), payload);
  b.writeUInt16BE(internetChecksum(b, 0, b.length), 2);
  return { kind: 'icmp', bytes: b };
}

/** An ICMPv6 message; `ipv6()` fills its checksum. */
export function icmpv6(spec: IcmpSpec, payload?: Payload): Built {
  return { kind: 'icmpv6', bytes: icmpMessage(spec, typeNumber(spec.type, ICMPV6_TYPES), payload) };
}
