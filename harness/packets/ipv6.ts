import { ipv6At } from './addresses.ts';
import { u16 } from './bytes.ts';
import { fault, truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const DEST_OPTS = 60;
const MOBILITY = 135;

/**
 * Decodes the IPv6 header and skips the common extension headers (hop-by-hop, routing,
 * fragment, destination options, AH, mobility). Returns the upper-layer offset or -1;
 * the payload ends at `min(end, off + 40 + payloadLength)`.
 */
export function decodeIpv6(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 40) return truncated(p, base, off, end, 'ipv6', 'IPv6 header', 40);
  const version = b[off]! >> 4;
  if (version !== 6) return fault(p, base, off, 'ipv6', `IPv6 version field is ${version}`);
  const payloadLength = u16(b, off + 4);
  const ip = {
    trafficClass: ((b[off]! & 0x0f) << 4) | (b[off + 1]! >> 4),
    flowLabel: ((b[off + 1]! & 0x0f) << 16) | u16(b, off + 2),
    payloadLength,
    nextHeader: b[off + 6]!,
    protocol: b[off + 6]!,
    hopLimit: b[off + 7]!,
    src: ipv6At(b, off + 8),
    dst: ipv6At(b, off + 24),
    extensionHeaders: [] as number[],
    isFragment: false,
    fragmentOffset: 0,
  };
  p.ipv6 = ip;
  if (off + 40 + payloadLength > end && !p.cut) {
    return fault(p, base, end, 'ipv6', `IPv6 payload length ${payloadLength} but only ${end - off - 40} bytes in the frame`);
  }
  let at = off + 40;
  for (;;) {
    const nh = ip.protocol;
    if (nh !== HOP_BY_HOP && nh !== ROUTING && nh !== FRAGMENT && nh !== AUTH && nh !== DEST_OPTS && nh !== MOBILITY) {
      return at;
    }
    if (end - at < 8) return truncated(p, base, at, end, 'ipv6', `IPv6 extension header ${nh}`, 8);
    let length: number;
    if (nh === FRAGMENT) {
      length = 8;
      const field = u16(b, at + 2);
      ip.fragmentOffset = field & 0xfff8;
      ip.isFragment = true;
    } else {
      length = nh === AUTH ? (b[at + 1]! + 2) * 4 : (b[at + 1]! + 1) * 8;
    }
    if (end - at < length) return truncated(p, base, at, end, 'ipv6', `IPv6 extension header ${nh}`, length);
    ip.extensionHeaders.push(nh);
    ip.protocol = b[at]!;
    at += length;
  }
}
