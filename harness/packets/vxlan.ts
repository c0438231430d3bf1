import { truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

export const DEFAULT_VXLAN_PORTS: readonly number[] = [8472, 4789];

/** Decodes the 8-byte VXLAN header into `p.vxlan`; returns the inner frame offset or -1. */
export function decodeVxlan(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 8) return truncated(p, base, off, end, 'vxlan', 'VXLAN header', 8);
  const flags = b[off]!;
  p.vxlan = { flags, vniValid: (flags & 0x08) !== 0, vni: (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]! };
  return off + 8;
}
