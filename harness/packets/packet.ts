/**
 * A decoded packet: one plain object with one optional field per protocol layer, so tests
 * and matchers ask `p.ipv4?.src`, `p.vxlan?.vni`, `p.inner?.icmp?.type`. Every field is
 * present from the start (undefined when the layer is absent) so all packets share a shape.
 */

export interface Malformed {
  /** Byte offset in the captured frame where decoding stopped. */
  offset: number;
  /** What was wrong, in words. */
  reason: string;
  /** The layer being decoded when the fault was found (`ipv4`, `tcp`, `pcap`...). */
  layer: string;
}

export interface VlanTag {
  tpid: number;
  id: number;
  priority: number;
  dei: boolean;
}

export interface EthernetLayer {
  src: string;
  dst: string;
  /** The EtherType after any VLAN tags (or the 802.3 length when < 0x0600). */
  etherType: number;
  vlans: VlanTag[] | undefined;
}

/** Linux cooked capture (`tcpdump -i any`), v1 (link type 113) or v2 (276). */
export interface SllLayer {
  version: 1 | 2;
  /** 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  packetType: number;
  direction: 'in' | 'out' | 'other';
  arphrdType: number;
  address: string;
  protocol: number;
  /** Interface index (SLL2 only). */
  ifindex: number | undefined;
}

export interface ArpLayer {
  opcode: number;
  op: 'request' | 'reply' | 'other';
  hardwareType: number;
  protocolType: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface Ipv4Layer {
  headerLength: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  /** More fragments follow, or this is not the first one. */
  isFragment: boolean;
  ttl: number;
  protocol: number;
  checksum: number;
  checksumOk: boolean;
  src: string;
  dst: string;
}

export interface Ipv6Layer {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** The Next Header field of the fixed header. */
  nextHeader: number;
  /** The upper-layer protocol after skipping extension headers. */
  protocol: number;
  hopLimit: number;
  src: string;
  dst: string;
  extensionHeaders: number[];
  isFragment: boolean;
  /** Fragment offset in bytes (0 when not a fragment). */
  fragmentOffset: number;
}

export interface UdpLayer {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  payloadLength: number;
}

export interface TcpFlags {
  fin: boolean;
  syn: boolean;
  rst: boolean;
  psh: boolean;
  ack: boolean;
  urg: boolean;
  ece: boolean;
  cwr: boolean;
}

export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  sack?: [number, number][];
  timestamp?: { value: number; echo: number };
}

export interface TcpLayer {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  headerLength: number;
  /** The 9 flag bits as a number (NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN). */
  flagBits: number;
  flags: TcpFlags;
  window: number;
  checksum: number;
  urgentPointer: number;
  options: TcpOptions | undefined;
  payloadLength: number;
}

/** ICMP (IPv4) or ICMPv6; `type` is a name such as `echo-request` (`type-N` when unknown). */
export interface IcmpLayer {
  type: string;
  typeNumber: number;
  code: number;
  checksum: number;
  /** Echo identifier (echo request/reply only). */
  id: number | undefined;
  /** Echo sequence number (echo request/reply only). */
  seq: number | undefined;
}

export interface VxlanLayer {
  flags: number;
  /** The I flag: the VNI field is valid. */
  vniValid: boolean;
  vni: number;
}

export interface Packet {
  /** 1-based position in the capture (tshark's frame number); inner packets share it. */
  index: number;
  tsSec: number;
  /** Nanoseconds within the second (microsecond captures are scaled). */
  tsNsec: number;
  /** Seconds since the epoch as a float (microsecond precision). */
  time: number;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  /** Fewer bytes were captured than were on the wire (snaplen). */
  cut: boolean;
  eth: EthernetLayer | undefined;
  sll: SllLayer | undefined;
  arp: ArpLayer | undefined;
  ipv4: Ipv4Layer | undefined;
  ipv6: Ipv6Layer | undefined;
  udp: UdpLayer | undefined;
  tcp: TcpLayer | undefined;
  icmp: IcmpLayer | undefined;
  icmpv6: IcmpLayer | undefined;
  vxlan: VxlanLayer | undefined;
  /** The frame carried by VXLAN, decoded in full. */
  inner: Packet | undefined;
  malformed: Malformed | undefined;
  /** The captured bytes, when decoded with `keepData`. */
  data: Uint8Array | undefined;
}

/** An empty packet with every layer field present and undefined. */
export function emptyPacket(
  index: number,
  tsSec: number,
  tsNsec: number,
  capturedLength: number,
  originalLength: number,
  linkType: number,
): Packet {
  return {
    index,
    tsSec,
    tsNsec,
    time: tsSec + Math.floor(tsNsec / 1000) / 1e6,
    capturedLength,
    originalLength,
    linkType,
    cut: capturedLength < originalLength,
    eth: undefined,
    sll: undefined,
    arp: undefined,
    ipv4: undefined,
    ipv6: undefined,
    udp: undefined,
    tcp: undefined,
    icmp: undefined,
    icmpv6: undefined,
    vxlan: undefined,
    inner: undefined,
    malformed: undefined,
    data: undefined,
  };
}
