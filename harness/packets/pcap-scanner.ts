import type { PcapFormatError } from './errors.ts';
import { parsePcapHeader, PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, type PcapHeader } from './pcap-header.ts';
import { recordLimitOf, recordTooLong, truncatedRecord, type TruncatedRecord } from './pcap-record.ts';

/** Called for each complete record; `offset` is where the captured bytes start in `b`. */
export type PcapRecordVisitor = (
  b: Buffer,
  offset: number,
  capturedLength: number,
  originalLength: number,
  tsSec: number,
  tsNsec: number,
) => void;

export type { TruncatedRecord };

/**
 * Incremental reader of classic pcap: push chunks of the file in order, then `scan` calls the
 * visitor for complete records, by offset in the chunk (no copy). Only the unread rest of
 * the last chunk is kept.
 */
export class PcapScanner {
  header: PcapHeader | undefined;
  /** Records visited so far. */
  records = 0;
  private pending: Buffer | undefined;
  /** File offset of the first byte of `pending` (or of the next chunk). */
  private fileOffset = 0;
  private recordLimit = 0;

  constructor(private readonly source: string) {}

  /** Appends the next bytes of the file (kept until `scan` consumes them). */
  push(chunk: Buffer): void {
    this.pending = this.pending && this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
  }

  /** Hands back the unread bytes (and forgets them), so a reader can put them in front of its next read. */
  takeRemainder(): Buffer | undefined {
    const rest = this.pending;
    this.pending = undefined;
    return rest;
  }

  /**
   * Visits up to `max` complete records of the bytes pushed so far; returns how many it
   * visited (0 when it needs more bytes). Small `max` keeps decoded batches short-lived.
   */
  scan(visit: PcapRecordVisitor, max = Number.POSITIVE_INFINITY): number {
    const b = this.pending;
    if (!b) return 0;
    let off = 0;
    if (!this.header) {
      if (b.length < PCAP_HEADER_LENGTH) return 0;
      this.header = parsePcapHeader(b, this.source);
      this.recordLimit = recordLimitOf(this.header);
      off = PCAP_HEADER_LENGTH;
    }
    const before = this.records;
    off = this.header.byteOrder === 'le' ? this.scanLe(b, off, visit, max) : this.scanBe(b, off, visit, max);
    this.fileOffset += off;
    this.pending = off < b.length ? b.subarray(off) : undefined;
    return this.records - before;
  }

  /** Call once the input has ended; throws for a missing header, reports a cut final record. */
  end(): TruncatedRecord | undefined {
    const rest = this.pending ?? Buffer.alloc(0);
    if (!this.header) parsePcapHeader(rest, this.source); // throws with the reason
    return truncatedRecord(rest, this.header!, this.fileOffset);
  }

  private tooLong(off: number, captured: number): PcapFormatError {
    return recordTooLong(this.source, this.records + 1, captured, this.recordLimit, this.fileOffset + off);
  }

  private scanLe(b: Buffer, off: number, visit: PcapRecordVisitor, max: number): number {
    const nano = this.header!.nanosecond;
    const limit = this.recordLimit;
    const stop = this.records + max;
    while (b.length - off >= PCAP_RECORD_HEADER_LENGTH && this.records < stop) {
      const captured = (b[off + 8]! | (b[off + 9]! << 8) | (b[off + 10]! << 16) | (b[off + 11]! << 24)) >>> 0;
      if (captured > limit) throw this.tooLong(off, captured);
      if (b.length - off - PCAP_RECORD_HEADER_LENGTH < captured) break;
      const frac = b.readUInt32LE(off + 4);
      this.records++;
      visit(b, off + 16, captured, b.readUInt32LE(off + 12), b.readUInt32LE(off), nano ? frac : frac * 1000);
      off += PCAP_RECORD_HEADER_LENGTH + captured;
    }
    return off;
  }

  private scanBe(b: Buffer, off: number, visit: PcapRecordVisitor, max: number): number {
    const nano = this.header!.nanosecond;
    const limit = this.recordLimit;
    const stop = this.records + max;
    while (b.length - off >= PCAP_RECORD_HEADER_LENGTH && this.records < stop) {
      const captured = b.readUInt32BE(off + 8);
      if (captured > limit) throw this.tooLong(off, captured);
      if (b.length - off - PCAP_RECORD_HEADER_LENGTH < captured) break;
      const frac = b.readUInt32BE(off + 4);
      this.records++;
      visit(b, off + 16, captured, b.readUInt32BE(off + 12), b.readUInt32BE(off), nano ? frac : frac * 1000);
      off += PCAP_RECORD_HEADER_LENGTH + captured;
    }
    return off;
  }
}
