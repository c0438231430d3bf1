import { PcapFormatError } from './errors.ts';
import { PCAP_RECORD_HEADER_LENGTH, type PcapHeader } from './pcap-header.ts';

/** What is left when the file ends in the middle of a record. */
export interface TruncatedRecord {
  /** Byte offset of the record header in the file. */
  fileOffset: number;
  reason: string;
  /** The captured bytes that are there (possibly none). */
  data: Buffer;
  originalLength: number;
  tsSec: number;
  tsNsec: number;
}

const MIN_RECORD_LIMIT = 262_144;
const MAX_RECORD_LIMIT = 16 * 1024 * 1024;

/**
 * The largest captured length a record may claim before the file is called corrupt: the
 * snaplen, at least 256 KiB, at most 16 MiB. Without it a reader would wait (and buffer)
 * forever for a record that a corrupt header says is gigabytes long.
 */
export function recordLimitOf(header: PcapHeader): number {
  return Math.max(MIN_RECORD_LIMIT, Math.min(header.snaplen, MAX_RECORD_LIMIT));
}

/** The error for a record header claiming more than `recordLimitOf` allows. */
export function recordTooLong(source: string, record: number, captured: number, limit: number, fileOffset: number): PcapFormatError {
  return new PcapFormatError(source, `record ${record} claims ${captured} captured bytes, more than the limit of ${limit}; the file is corrupt`, fileOffset);
}

/** The sub-second part of a record's timestamp in nanoseconds, whatever the file's precision. */
export function fractionToNsec(header: PcapHeader, fraction: number): number {
  return header.nanosecond ? fraction : fraction * 1000;
}

/**
 * Describes the bytes left after the last complete record (`rest`, starting at file byte
 * `fileOffset`), or undefined when nothing is left. Both pcap readers report a cut file
 * through this, with the same words.
 */
export function truncatedRecord(rest: Buffer, header: PcapHeader, fileOffset: number): TruncatedRecord | undefined {
  if (rest.length === 0) return undefined;
  const le = header.byteOrder === 'le';
  if (rest.length < PCAP_RECORD_HEADER_LENGTH) {
    return {
      fileOffset,
      reason: `pcap file ends inside a record header (${rest.length} of 16 bytes)`,
      data: Buffer.alloc(0),
      originalLength: 0,
      tsSec: 0,
      tsNsec: 0,
    };
  }
  const u32 = (at: number) => (le ? rest.readUInt32LE(at) : rest.readUInt32BE(at));
  const captured = u32(8);
  return {
    fileOffset,
    reason: `pcap file ends inside a record: ${rest.length - PCAP_RECORD_HEADER_LENGTH} of ${captured} captured bytes present`,
    data: rest.subarray(PCAP_RECORD_HEADER_LENGTH),
    originalLength: u32(12),
    tsSec: u32(0),
    tsNsec: fractionToNsec(header, u32(4)),
  };
}
