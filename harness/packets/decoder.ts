import { decodeArp } from './arp.ts';
import { decodeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.ts';
import { decodeIcmp } from './icmp.ts';
import { decodeIpv4 } from './ipv4.ts';
import { decodeIpv6 } from './ipv6.ts';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
} from './link-types.ts';
import { fault } from './malformed.ts';
import { emptyPacket, type Packet } from './packet.ts';
import { decodeSll, decodeSll2 } from './sll.ts';
import { decodeTcp } from './tcp.ts';
import { decodeUdp } from './udp.ts';
import { DEFAULT_VXLAN_PORTS, decodeVxlan } from './vxlan.ts';

export interface DecodeOptions {
  /** UDP destination ports whose payload is VXLAN; default [8472, 4789]. */
  vxlanPorts?: readonly number[];
  /** Keep the captured bytes on `packet.data` (a view into the read buffer). Default false. */
  keepData?: boolean;
}

/** Facts about one captured frame, as a pcap record header gives them. */
export interface FrameMeta {
  linkType?: number;
  index?: number;
  tsSec?: number;
  tsNsec?: number;
  /** Length on the wire; defaults to the captured length. */
  originalLength?: number;
}

/** VXLAN inside VXLAN is decoded this deep at most. */
const MAX_NESTING = 8;

/**
 * Decodes frames into `Packet`s. Never throws: a fault marks the packet `malformed` with the
 * offset and reason, keeping the layers decoded before it.
 */
export class PacketDecoder {
  private readonly vxlanPort: Uint8Array;
  private readonly keepData: boolean;

  constructor(options: DecodeOptions = {}) {
    this.vxlanPort = new Uint8Array(65_536);
    for (const port of options.vxlanPorts ?? DEFAULT_VXLAN_PORTS) this.vxlanPort[port & 0xffff] = 1;
    this.keepData = options.keepData ?? false;
  }

  /** Decodes the `capturedLength` bytes at `start` of `b`. */
  decodeAt(
    b: Uint8Array,
    start: number,
    capturedLength: number,
    originalLength: number,
    linkType: number,
    index: number,
    tsSec: number,
    tsNsec: number,
  ): Packet {
    const p = emptyPacket(index, tsSec, tsNsec, capturedLength, originalLength, linkType);
    if (this.keepData) p.data = b.subarray(start, start + capturedLength);
    try {
      this.link(b, start, start + capturedLength, p, linkType, 0);
    } catch (error) {
      // A decoder bug must not escape: report it on the packet like any other fault.
      p.malformed ??= { offset: 0, reason: `decoder error: ${String(error)}`, layer: 'decoder' };
    }
    return p;
  }

  /** Decodes one whole frame. */
  decode(data: Uint8Array, meta: FrameMeta = {}): Packet {
    return this.decodeAt(
      data,
      0,
      data.length,
      meta.originalLength ?? data.length,
      meta.linkType ?? LINKTYPE_ETHERNET,
      meta.index ?? 1,
      meta.tsSec ?? 0,
      meta.tsNsec ?? 0,
    );
  }

  private link(b: Uint8Array, base: number, end: number, p: Packet, linkType: number, depth: number): void {
    switch (linkType) {
      case LINKTYPE_ETHERNET: {
        const at = decodeEthernet(b, base, end, p, base);
        if (at >= 0) this.etherPayload(b, at, end, p, base, p.eth!.etherType, depth);
        return;
      }
      case LINKTYPE_LINUX_SLL:
      case LINKTYPE_LINUX_SLL2: {
        const at = (linkType === LINKTYPE_LINUX_SLL ? decodeSll : decodeSll2)(b, base, end, p, base);
        if (at >= 0) this.etherPayload(b, at, end, p, base, p.sll!.protocol, depth);
        return;
      }
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6: {
        if (end <= base) {
          fault(p, base, base, 'ip', 'empty raw IP frame');
          return;
        }
        const version = b[base]! >> 4;
        this.etherPayload(b, base, end, p, base, version === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, depth);
        return;
      }
      default:
        return; // unknown link type: nothing decoded, not malformed
    }
  }

  private etherPayload(b: Uint8Array, off: number, end: number, p: Packet, base: number, type: number, depth: number): void {
    if (type === ETHERTYPE_IPV4) {
      const at = decodeIpv4(b, off, end, p, base);
      if (at < 0) return;
      const ip = p.ipv4!;
      if (ip.fragmentOffset > 0) return; // later fragments carry no L4 header
      const ipEnd = Math.min(end, off + ip.totalLength);
      this.transport(b, at, ipEnd, p, base, ip.protocol, ip.isFragment, depth);
    } else if (type === ETHERTYPE_IPV6) {
      const at = decodeIpv6(b, off, end, p, base);
      if (at < 0) return;
      const ip = p.ipv6!;
      if (ip.fragmentOffset > 0) return;
      const ipEnd = Math.min(end, off + 40 + ip.payloadLength);
      this.transport(b, at, ipEnd, p, base, ip.protocol, ip.isFragment, depth);
    } else if (type === ETHERTYPE_ARP) {
      decodeArp(b, off, end, p, base);
    }
  }

  private transport(
    b: Uint8Array,
    off: number,
    end: number,
    p: Packet,
    base: number,
    protocol: number,
    fragment: boolean,
    depth: number,
  ): void {
    if (protocol === 17) {
      const at = decodeUdp(b, off, end, p, base, fragment || p.cut);
      if (at < 0 || fragment || this.vxlanPort[p.udp!.dstPort] !== 1) return;
      const udpEnd = Math.min(end, off + p.udp!.length);
      const inner = decodeVxlan(b, at, udpEnd, p, base);
      if (inner >= 0 && depth < MAX_NESTING) this.innerFrame(b, inner, udpEnd, p.udp!.length - 16, p, base, depth);
    } else if (protocol === 6) {
      decodeTcp(b, off, end, p, base);
    } else if (protocol === 1 || protocol === 58) {
      decodeIcmp(b, off, end, p, base, protocol === 58);
    }
  }

  private innerFrame(b: Uint8Array, start: number, end: number, declared: number, outer: Packet, base: number, depth: number): void {
    const skipped = start - base;
    const captured = end - start;
    const inner = emptyPacket(outer.index, outer.tsSec, outer.tsNsec, captured, Math.max(captured, declared), LINKTYPE_ETHERNET);
    outer.inner = inner;
    this.link(b, start, end, inner, LINKTYPE_ETHERNET, depth + 1);
    const m = inner.malformed;
    if (m) outer.malformed = { offset: skipped + m.offset, reason: `inner frame: ${m.reason}`, layer: `inner.${m.layer}` };
  }
}

const defaultDecoder = new PacketDecoder();

/** Decodes one frame with a default `PacketDecoder` (or one built from `options`). */
export function decodePacket(data: Uint8Array, meta: FrameMeta = {}, options?: DecodeOptions): Packet {
  return (options ? new PacketDecoder(options) : defaultDecoder).decode(data, meta);
}
