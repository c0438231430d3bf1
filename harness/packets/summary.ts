import { hex16 } from './bytes.ts';
import { LINK_TYPE_NAMES } from './link-types.ts';
import type { IcmpLayer, Packet, TcpLayer } from './packet.ts';

const ICMP_TEXT: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench',
  5: 'Redirect',
  8: 'Echo (ping) request',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
};

const UNREACHABLE_TEXT: Readonly<Record<number, string>> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  13: 'Communication administratively filtered',
};

const ICMPV6_TEXT: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

const IP_PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 89: 'OSPF', 132: 'SCTP' };

const TCP_FLAG_NAMES: [number, string][] = [
  [0x02, 'SYN'], [0x01, 'FIN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'],
];

function swap16(n: number): number {
  return ((n & 0xff) << 8) | (n >> 8);
}

function icmpText(icmp: IcmpLayer, v6: boolean): string {
  const name = (v6 ? ICMPV6_TEXT : ICMP_TEXT)[icmp.typeNumber] ?? `Type ${icmp.typeNumber}`;
  if (icmp.id !== undefined && icmp.seq !== undefined) {
    const seq = v6 ? `${icmp.seq}` : `${icmp.seq}/${swap16(icmp.seq)}`;
    return `${name} id=${hex16(icmp.id)}, seq=${seq}`;
  }
  if (!v6 && icmp.typeNumber === 3) return `${name} (${UNREACHABLE_TEXT[icmp.code] ?? `code ${icmp.code}`})`;
  return icmp.code === 0 ? name : `${name} (code ${icmp.code})`;
}

function tcpText(t: TcpLayer): string {
  const flags = TCP_FLAG_NAMES.filter(([bit]) => t.flagBits & bit).map(([, n]) => n);
  const parts = [`${t.srcPort} → ${t.dstPort}`, `[${flags.join(', ')}]`, `Seq=${t.seq}`];
  if (t.flags.ack) parts.push(`Ack=${t.ack}`);
  parts.push(`Win=${t.window}`, `Len=${t.payloadLength}`);
  const o = t.options;
  if (o?.mss !== undefined) parts.push(`MSS=${o.mss}`);
  if (o?.sackPermitted) parts.push('SACK_PERM');
  if (o?.timestamp) parts.push(`TSval=${o.timestamp.value}`, `TSecr=${o.timestamp.echo}`);
  if (o?.windowScale !== undefined) parts.push(`WS=${2 ** o.windowScale}`);
  return parts.join(' ');
}

function mac(text: string): string {
  return text === 'ff:ff:ff:ff:ff:ff' ? 'Broadcast' : text;
}

function body(p: Packet): string {
  if (p.arp) {
    const a = p.arp;
    if (a.op === 'request') return `ARP Who has ${a.targetIp}? Tell ${a.senderIp}`;
    if (a.op === 'reply') return `ARP ${a.senderIp} is at ${a.senderMac}`;
    return `ARP opcode ${a.opcode}`;
  }
  const ip = p.ipv4 ?? p.ipv6;
  if (!ip) {
    const type = p.eth?.etherType ?? p.sll?.protocol;
    if (type !== undefined) return `${p.eth ? 'ETH' : 'SLL'} type=${hex16(type)} len=${p.capturedLength}`;
    return `${LINK_TYPE_NAMES[p.linkType] ?? `LINKTYPE_${p.linkType}`} len=${p.capturedLength}`;
  }
  const version = p.ipv4 ? 'IPv4' : 'IPv6';
  const proto = `${IP_PROTOCOLS[ip.protocol] ?? 'proto'} ${ip.protocol}`;
  if (ip.fragmentOffset > 0) {
    const id = p.ipv4 ? `, ID=${p.ipv4.id.toString(16).padStart(4, '0')}` : '';
    return `${version} Fragmented IP protocol (proto=${proto}, off=${ip.fragmentOffset}${id})`;
  }
  if (p.vxlan) {
    const inner = p.inner ? ` [${summary(p.inner)}]` : '';
    return `UDP ${p.udp!.srcPort} → ${p.udp!.dstPort} VXLAN vni=${p.vxlan.vni}${inner}`;
  }
  if (p.udp) return `UDP ${p.udp.srcPort} → ${p.udp.dstPort} Len=${p.udp.payloadLength}`;
  if (p.tcp) return `TCP ${tcpText(p.tcp)}`;
  if (p.icmp) return `ICMP ${icmpText(p.icmp, false)}`;
  if (p.icmpv6) return `ICMPv6 ${icmpText(p.icmpv6, true)}`;
  return `${version} ${proto}`;
}

/** A one-line description in the style of tshark's default output. */
export function summary(p: Packet): string {
  const ip = p.ipv4 ?? p.ipv6;
  const from = ip ? `${ip.src} → ${ip.dst}` : p.eth ? `${p.eth.src} → ${mac(p.eth.dst)}` : '';
  let text = from ? `${from} ${body(p)}` : body(p);
  if (p.ipv4 && !p.ipv4.checksumOk) text += ' [IPv4 header checksum bad]';
  const m = p.malformed;
  if (m && !m.layer.startsWith('inner.')) text += ` [Malformed ${m.layer}: ${m.reason} at offset ${m.offset}]`;
  return text;
}
