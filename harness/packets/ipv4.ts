import { ipv4At } from './addresses.ts';
import { u16 } from './bytes.ts';
import { onesComplementSum } from './checksum.ts';
import { fault, truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

/**
 * Decodes an IPv4 header into `p.ipv4`. Returns the offset of the payload or -1; the
 * payload ends at `min(end, off + totalLength)`.
 */
export function decodeIpv4(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 20) return truncated(p, base, off, end, 'ipv4', 'IPv4 header', 20);
  const version = b[off]! >> 4;
  if (version !== 4) return fault(p, base, off, 'ipv4', `IPv4 version field is ${version}`);
  const headerLength = (b[off]! & 0x0f) * 4;
  if (headerLength < 20) return fault(p, base, off, 'ipv4', `IPv4 header length ${headerLength} < 20`);
  if (end - off < headerLength) return truncated(p, base, off, end, 'ipv4', 'IPv4 header with options', headerLength);
  const totalLength = u16(b, off + 2);
  const frag = u16(b, off + 6);
  const mf = (frag & 0x2000) !== 0;
  const fragmentOffset = (frag & 0x1fff) * 8;
  p.ipv4 = {
    headerLength,
    dscp: b[off + 1]! >> 2,
    ecn: b[off + 1]! & 3,
    totalLength,
    id: u16(b, off + 4),
    df: (frag & 0x4000) !== 0,
    mf,
    fragmentOffset,
    isFragment: mf || fragmentOffset > 0,
    ttl: b[off + 8]!,
    protocol: b[off + 9]!,
    checksum: u16(b, off + 10),
    checksumOk: onesComplementSum(b, off, off + headerLength) === 0xffff,
    src: ipv4At(b, off + 12),
    dst: ipv4At(b, off + 16),
  };
  if (totalLength < headerLength) {
    return fault(p, base, off + 2, 'ipv4', `IPv4 total length ${totalLength} < header length ${headerLength}`);
  }
  if (off + totalLength > end && !p.cut) {
    return fault(p, base, end, 'ipv4', `IPv4 total length ${totalLength} but only ${end - off} bytes in the frame`);
  }
  return off + headerLength;
}
