import type { Packet } from './packet.ts';

/** The protocol stack of a packet, outermost first, e.g. `['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp']`. */
export function protocolsOf(p: Packet): string[] {
  const out: string[] = [];
  for (let q: Packet | undefined = p; q; q = q.inner) {
    if (q.sll) out.push('sll');
    if (q.eth) out.push('eth');
    for (const key of ['arp', 'ipv4', 'ipv6', 'udp', 'tcp', 'icmp', 'icmpv6', 'vxlan'] as const) {
      if (q[key]) out.push(key);
    }
  }
  return out;
}
