export type {
  ArpLayer,
  EthernetLayer,
  IcmpLayer,
  Ipv4Layer,
  Ipv6Layer,
  Malformed,
  Packet,
  SllLayer,
  TcpFlags,
  TcpLayer,
  TcpOptions,
  UdpLayer,
  VlanTag,
  VxlanLayer,
} from './packet.ts';
export { PcapFormatError } from './errors.ts';
export { PacketDecoder, decodePacket, type DecodeOptions, type FrameMeta } from './decoder.ts';
export { DEFAULT_VXLAN_PORTS } from './vxlan.ts';
export * from './link-types.ts';
export { parsePcapHeader, type PcapHeader } from './pcap-header.ts';
export { PcapScanner, type PcapRecordVisitor, type TruncatedRecord } from './pcap-scanner.ts';
export { framePcapStream, type PcapFrames, type PcapParserPacket } from './pcap-parser-stream.ts';
export {
  decodePcapBuffer,
  decodePcapFile,
  feedScanner,
  streamPacketBatches,
  streamPackets,
  type PcapFramer,
  type PcapSource,
  type ReadOptions,
} from './pcap-reader.ts';
export {
  PcapFileWriter,
  encodePcap,
  encodePcapHeader,
  encodePcapRecordInto,
  type PcapWriteOptions,
  type PcapWriteRecord,
} from './pcap-writer.ts';
export { summary } from './summary.ts';
export { protocolsOf } from './protocols.ts';
export { formatMismatch, matchShape, type PacketShape, type Shape, type ShapeMatch, type ShapeMismatch } from './match-shape.ts';
export { PacketList, type PacketFilter } from './packet-list.ts';
export { findVxlan, vxlanShape, type VxlanExpectation, type VxlanSearch } from './find-vxlan.ts';
export * from './builder.ts';
export * from './builder-transport.ts';
