import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Packet } from './packet.ts';
import { decodePcapFile } from './pcap-reader.ts';
import { DEFAULT_VXLAN_PORTS } from './vxlan.ts';

/**
 * The peer check of the packet decoders: the same pcap read by `tshark -T json` and by us,
 * compared packet by packet on addresses, ports, VNI, protocols, ICMP type/code and TCP flags.
 */

export const TSHARK = '/usr/bin/tshark';

type Layer = Record<string, unknown>;

/** The facts compared, outer level first, then the VXLAN-carried level. */
export interface PacketFacts {
  ip: { src: unknown; dst: unknown; proto: number }[];
  ipv6: { src: unknown; dst: unknown }[];
  udp: number[][];
  tcp: { ports: number[]; flags: number }[];
  vni: number[];
  icmp: number[][];
  icmpv6: number[];
  arp: number[];
}

export interface TsharkDifference {
  /** 1-based frame number. */
  index: number;
  ours: PacketFacts | undefined;
  theirs: PacketFacts | undefined;
  /** Our decoder marked the packet malformed (tshark read it). */
  malformed?: string;
}

export interface TsharkComparison {
  file: string;
  count: { ours: number; theirs: number };
  differences: TsharkDifference[];
}

/** tshark's layer objects: one, an array of several (--no-duplicate-keys), or none. */
function all(layers: Layer, name: string): Layer[] {
  const v = layers[name];
  return v === undefined ? [] : Array.isArray(v) ? (v as Layer[]) : [v as Layer];
}

/** The compared facts from one of our packets, outer then inner. */
export function packetFacts(p: Packet): PacketFacts {
  const levels: Packet[] = p.inner ? [p, p.inner] : [p];
  return {
    ip: levels.flatMap((q) => (q.ipv4 ? [{ src: q.ipv4.src, dst: q.ipv4.dst, proto: q.ipv4.protocol }] : [])),
    ipv6: levels.flatMap((q) => (q.ipv6 ? [{ src: q.ipv6.src, dst: q.ipv6.dst }] : [])),
    udp: levels.flatMap((q) => (q.udp ? [[q.udp.srcPort, q.udp.dstPort]] : [])),
    tcp: levels.flatMap((q) => (q.tcp ? [{ ports: [q.tcp.srcPort, q.tcp.dstPort], flags: q.tcp.flagBits }] : [])),
    vni: levels.flatMap((q) => (q.vxlan ? [q.vxlan.vni] : [])),
    icmp: levels.flatMap((q) => (q.icmp ? [[q.icmp.typeNumber, q.icmp.code]] : [])),
    icmpv6: levels.flatMap((q) => (q.icmpv6 ? [q.icmpv6.typeNumber] : [])),
    arp: levels.flatMap((q) => (q.arp ? [q.arp.opcode] : [])),
  };
}

/** The same facts from one packet of `tshark -T json --no-duplicate-keys` (its `_source.layers`). */
export function tsharkFacts(layers: Layer): PacketFacts {
  const n = (v: unknown) => Number(v);
  return {
    ip: all(layers, 'ip').map((l) => ({ src: l['ip.src'], dst: l['ip.dst'], proto: n(l['ip.proto']) })),
    ipv6: all(layers, 'ipv6').map((l) => ({ src: l['ipv6.src'], dst: l['ipv6.dst'] })),
    udp: all(layers, 'udp').map((l) => [n(l['udp.srcport']), n(l['udp.dstport'])]),
    tcp: all(layers, 'tcp').map((l) => ({ ports: [n(l['tcp.srcport']), n(l['tcp.dstport'])], flags: n(l['tcp.flags']) })),
    vni: all(layers, 'vxlan').map((l) => n(l['vxlan.vni'])),
    icmp: all(layers, 'icmp').map((l) => [n(l['icmp.type']), n(l['icmp.code'])]),
    icmpv6: all(layers, 'icmpv6').map((l) => n(l['icmpv6.type'])),
    arp: all(layers, 'arp').map((l) => n(l['arp.opcode'])),
  };
}

/** `tshark -r FILE -T json --no-duplicate-keys -d udp.port==P,vxlan ...`, parsed. */
export async function readWithTshark(file: string, vxlanPorts: readonly number[] = DEFAULT_VXLAN_PORTS): Promise<Layer[]> {
  if (!existsSync(TSHARK)) {
    throw new Error(`tshark is required for the cross-check and was not found at ${TSHARK} (apt-get install tshark)`);
  }
  const decodeAs = [...new Set(vxlanPorts)].flatMap((p) => ['-d', `udp.port==${p},vxlan`]);
  const r = await execa(TSHARK, ['-r', file, '-T', 'json', '--no-duplicate-keys', ...decodeAs], { maxBuffer: 1e9, timeout: 60_000 });
  const json = JSON.parse(r.stdout || '[]') as { _source: { layers: Layer } }[];
  return json.map((e) => e._source.layers);
}

/**
 * Reads `file` with tshark and with our decoders; lists every packet where the facts differ.
 * Both read VXLAN on `vxlanPorts` and on 8472/4789 (tshark decodes 4789 as VXLAN anyway).
 */
export async function compareWithTshark(file: string, extraVxlanPorts: readonly number[] = []): Promise<TsharkComparison> {
  const vxlanPorts = [...new Set([...DEFAULT_VXLAN_PORTS, ...extraVxlanPorts])];
  const [theirs, ours] = await Promise.all([readWithTshark(file, vxlanPorts), decodePcapFile(file, { vxlanPorts })]);
  const differences: TsharkDifference[] = [];
  const n = Math.max(theirs.length, ours.count);
  for (let k = 0; k < n; k++) {
    const p = ours.packets[k];
    const a = p ? packetFacts(p) : undefined;
    const b = theirs[k] ? tsharkFacts(theirs[k]!) : undefined;
    const malformed = p?.malformed ? `${p.malformed.layer}: ${p.malformed.reason} at ${p.malformed.offset}` : undefined;
    if (malformed || JSON.stringify(a) !== JSON.stringify(b)) {
      differences.push({ index: k + 1, ours: a, theirs: b, ...(malformed ? { malformed } : {}) });
    }
  }
  return { file, count: { ours: ours.count, theirs: theirs.length }, differences };
}
