import { u16 } from './bytes.ts';
import { truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

export const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: 'echo-reply',
  3: 'dest-unreachable',
  4: 'source-quench',
  5: 'redirect',
  8: 'echo-request',
  9: 'router-advertisement',
  10: 'router-solicitation',
  11: 'time-exceeded',
  12: 'parameter-problem',
  13: 'timestamp-request',
  14: 'timestamp-reply',
};

export const ICMPV6_TYPES: Readonly<Record<number, string>> = {
  1: 'dest-unreachable',
  2: 'packet-too-big',
  3: 'time-exceeded',
  4: 'parameter-problem',
  128: 'echo-request',
  129: 'echo-reply',
  130: 'mld-query',
  131: 'mld-report',
  132: 'mld-done',
  133: 'router-solicitation',
  134: 'router-advertisement',
  135: 'neighbor-solicitation',
  136: 'neighbor-advertisement',
  137: 'redirect',
  143: 'mld2-report',
};

const ECHO_TYPES_V4 = new Set([0, 8, 13, 14]);
const ECHO_TYPES_V6 = new Set([128, 129]);

/** Decodes an ICMP (v4) or ICMPv6 header into `p.icmp` / `p.icmpv6`; returns the offset after it or -1. */
export function decodeIcmp(b: Uint8Array, off: number, end: number, p: Packet, base: number, v6: boolean): number {
  const layer = v6 ? 'icmpv6' : 'icmp';
  if (end - off < 4) return truncated(p, base, off, end, layer, `${v6 ? 'ICMPv6' : 'ICMP'} header`, 4);
  const typeNumber = b[off]!;
  const icmp = {
    type: (v6 ? ICMPV6_TYPES : ICMP_TYPES)[typeNumber] ?? `type-${typeNumber}`,
    typeNumber,
    code: b[off + 1]!,
    checksum: u16(b, off + 2),
    id: undefined as number | undefined,
    seq: undefined as number | undefined,
  };
  if (v6) p.icmpv6 = icmp;
  else p.icmp = icmp;
  if (!(v6 ? ECHO_TYPES_V6 : ECHO_TYPES_V4).has(typeNumber)) return off + 4;
  if (end - off < 8) return truncated(p, base, off, end, layer, 'ICMP echo header', 8);
  icmp.id = u16(b, off + 4);
  icmp.seq = u16(b, off + 6);
  return off + 8;
}
