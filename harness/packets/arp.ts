import { hexAddress, ipv4At, macAt } from './addresses.ts';
import { u16 } from './bytes.ts';
import { truncated } from './malformed.ts';
import type { Packet } from './packet.ts';

/** Decodes an ARP packet; returns the offset after it or -1. */
export function decodeArp(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 8) return truncated(p, base, off, end, 'arp', 'ARP header', 8);
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  const total = 8 + 2 * (hlen + plen);
  if (end - off < total) return truncated(p, base, off, end, 'arp', 'ARP packet', total);
  const hw = (i: number) => (hlen === 6 ? macAt(b, i) : hexAddress(b, i, hlen));
  const proto = (i: number) => (plen === 4 ? ipv4At(b, i) : hexAddress(b, i, plen));
  const opcode = u16(b, off + 6);
  p.arp = {
    opcode,
    op: opcode === 1 ? 'request' : opcode === 2 ? 'reply' : 'other',
    hardwareType: u16(b, off),
    protocolType: u16(b, off + 2),
    senderMac: hw(off + 8),
    senderIp: proto(off + 8 + hlen),
    targetMac: hw(off + 8 + hlen + plen),
    targetIp: proto(off + 8 + 2 * hlen + plen),
  };
  return off + total;
}
