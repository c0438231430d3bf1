import { hexAddress } from './addresses.ts';
import { u16, u32 } from './bytes.ts';
import { truncated } from './malformed.ts';
import type { Packet, SllLayer } from './packet.ts';

function direction(packetType: number): SllLayer['direction'] {
  if (packetType === 4) return 'out';
  return packetType <= 2 ? 'in' : 'other';
}

/** Linux cooked capture v1 (16-byte header); returns the payload offset or -1. */
export function decodeSll(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 16) return truncated(p, base, off, end, 'sll', 'SLL header', 16);
  const packetType = u16(b, off);
  p.sll = {
    version: 1,
    packetType,
    direction: direction(packetType),
    arphrdType: u16(b, off + 2),
    address: hexAddress(b, off + 6, Math.min(8, u16(b, off + 4))),
    protocol: u16(b, off + 14),
    ifindex: undefined,
  };
  return off + 16;
}

/** Linux cooked capture v2 (20-byte header); returns the payload offset or -1. */
export function decodeSll2(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 20) return truncated(p, base, off, end, 'sll', 'SLL2 header', 20);
  const packetType = b[off + 10]!;
  p.sll = {
    version: 2,
    packetType,
    direction: direction(packetType),
    arphrdType: u16(b, off + 8),
    address: hexAddress(b, off + 12, Math.min(8, b[off + 11]!)),
    protocol: u16(b, off),
    ifindex: u32(b, off + 4),
  };
  return off + 20;
}
