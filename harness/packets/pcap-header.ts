import { PcapFormatError } from './errors.ts';

export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;

/** The classic libpcap global header. */
export interface PcapHeader {
  byteOrder: 'le' | 'be';
  /** Timestamps carry nanoseconds (magic a1b23c4d) rather than microseconds. */
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  /** LINKTYPE_ value (low 16 bits of the field). */
  linkType: number;
}

/** Parses the 24-byte global header at the start of `b`; throws `PcapFormatError` saying why it cannot. */
export function parsePcapHeader(b: Uint8Array, source: string): PcapHeader {
  if (b.length === 0) throw new PcapFormatError(source, 'empty file (0 bytes), no pcap global header', 0);
  if (b.length < PCAP_HEADER_LENGTH) {
    throw new PcapFormatError(source, `file ends inside the 24-byte global header (${b.length} bytes)`, b.length);
  }
  const view = new DataView(b.buffer, b.byteOffset, PCAP_HEADER_LENGTH);
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  let byteOrder: 'le' | 'be';
  let nanosecond: boolean;
  if (le === MAGIC_MICRO || le === MAGIC_NANO) {
    byteOrder = 'le';
    nanosecond = le === MAGIC_NANO;
  } else if (be === MAGIC_MICRO || be === MAGIC_NANO) {
    byteOrder = 'be';
    nanosecond = be === MAGIC_NANO;
  } else if (be === MAGIC_PCAPNG) {
    throw new PcapFormatError(source, 'this is a pcapng file; only classic pcap is read (convert with `editcap -F pcap`)', 0);
  } else {
    throw new PcapFormatError(source, `bad magic number 0x${be.toString(16).padStart(8, '0')} (expected a1b2c3d4 or a1b23c4d, either byte order)`, 0);
  }
  const little = byteOrder === 'le';
  const versionMajor = view.getUint16(4, little);
  const versionMinor = view.getUint16(6, little);
  if (versionMajor !== 2) {
    throw new PcapFormatError(source, `unsupported pcap version ${versionMajor}.${versionMinor} (expected 2.x)`, 4);
  }
  return {
    byteOrder,
    nanosecond,
    versionMajor,
    versionMinor,
    snaplen: view.getUint32(16, little),
    linkType: view.getUint32(20, little) & 0xffff,
  };
}
