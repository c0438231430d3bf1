import { u16 } from './bytes.ts';
import { fault, truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

/**
 * Decodes a UDP header into `p.udp`; returns the payload offset or -1. `partial` means the
 * datagram may legitimately be incomplete (a first fragment, a snaplen cut).
 */
export function decodeUdp(b: Uint8Array, off: number, end: number, p: Packet, base: number, partial: boolean): number {
  if (end - off < 8) return truncated(p, base, off, end, 'udp', 'UDP header', 8);
  const length = u16(b, off + 4);
  p.udp = {
    srcPort: u16(b, off),
    dstPort: u16(b, off + 2),
    length,
    checksum: u16(b, off + 6),
    payloadLength: Math.max(0, Math.min(length, end - off) - 8),
  };
  if (length < 8) return fault(p, base, off + 4, 'udp', `UDP length ${length} < 8`);
  if (length > end - off && !partial) {
    return fault(p, base, end, 'udp', `UDP length ${length} but only ${end - off} bytes follow`);
  }
  return off + 8;
}
