import { macAt } from './addresses.ts';
import { u16 } from './bytes.ts';
import { truncated } from './malformed.ts';
import type { Packet, VlanTag } from './packet.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

/** Decodes an Ethernet II header and its 802.1Q/802.1ad tags; returns the payload offset or -1. */
export function decodeEthernet(b: Uint8Array, off: number, end: number, p: Packet, base: number): number {
  if (end - off < 14) return truncated(p, base, off, end, 'eth', 'Ethernet header', 14);
  const eth = { src: macAt(b, off + 6), dst: macAt(b, off), etherType: u16(b, off + 12), vlans: undefined as VlanTag[] | undefined };
  p.eth = eth;
  let at = off + 14;
  while (VLAN_TPIDS.has(eth.etherType)) {
    if (end - at < 4) return truncated(p, base, at, end, 'eth', '802.1Q tag', 4);
    const tci = u16(b, at);
    (eth.vlans ??= []).push({ tpid: eth.etherType, id: tci & 0x0fff, priority: tci >> 13, dei: (tci & 0x1000) !== 0 });
    eth.etherType = u16(b, at + 2);
    at += 4;
  }
  return at;
}
