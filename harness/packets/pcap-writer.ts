import { closeSync, openSync, writeSync } from 'node:fs';
import { LINKTYPE_ETHERNET } from './link-types.ts';
import { PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from './pcap-header.ts';

export interface PcapWriteOptions {
  linkType?: number;
  snaplen?: number;
  /** Write the nanosecond magic (a1b23c4d); default false (microseconds). */
  nanosecond?: boolean;
  byteOrder?: 'le' | 'be';
}

export interface PcapWriteRecord {
  data: Uint8Array;
  tsSec?: number;
  tsNsec?: number;
  /** Length on the wire; default the data length. */
  originalLength?: number;
}

/** The 24-byte global header. */
export function encodePcapHeader(options: PcapWriteOptions = {}): Buffer {
  const b = Buffer.alloc(PCAP_HEADER_LENGTH);
  const le = (options.byteOrder ?? 'le') === 'le';
  const u16 = (v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  u32(options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(2, 4);
  u16(4, 6);
  u32(options.snaplen ?? 262_144, 16);
  u32(options.linkType ?? LINKTYPE_ETHERNET, 20);
  return b;
}

/** Writes one record (header and data) into `out` at `at`; returns the offset after it. */
export function encodePcapRecordInto(out: Buffer, at: number, record: PcapWriteRecord, options: PcapWriteOptions = {}): number {
  const le = (options.byteOrder ?? 'le') === 'le';
  const nsec = record.tsNsec ?? 0;
  const frac = options.nanosecond ? nsec : Math.floor(nsec / 1000);
  const fields = [record.tsSec ?? 0, frac, record.data.length, record.originalLength ?? record.data.length];
  fields.forEach((v, k) => (le ? out.writeUInt32LE(v >>> 0, at + 4 * k) : out.writeUInt32BE(v >>> 0, at + 4 * k)));
  out.set(record.data, at + PCAP_RECORD_HEADER_LENGTH);
  return at + PCAP_RECORD_HEADER_LENGTH + record.data.length;
}

/** A whole pcap file in memory. */
export function encodePcap(records: Iterable<PcapWriteRecord>, options: PcapWriteOptions = {}): Buffer {
  const list = [...records];
  const size = list.reduce((n, r) => n + PCAP_RECORD_HEADER_LENGTH + r.data.length, PCAP_HEADER_LENGTH);
  const out = Buffer.alloc(size);
  encodePcapHeader(options).copy(out, 0);
  let at = PCAP_HEADER_LENGTH;
  for (const r of list) at = encodePcapRecordInto(out, at, r, options);
  return out;
}

/** Writes a pcap file record by record through a large buffer (for big synthetic captures). */
export class PcapFileWriter {
  private readonly fd: number;
  private readonly buffer: Buffer;
  private used = 0;
  private closed = false;
  /** Records written so far. */
  records = 0;
  /** Bytes written so far, header included. */
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly options: PcapWriteOptions = {},
    bufferSize = 4 * 1024 * 1024,
  ) {
    this.fd = openSync(path, 'w');
    this.buffer = Buffer.allocUnsafe(bufferSize);
    this.append(encodePcapHeader(options));
  }

  write(record: PcapWriteRecord): void {
    if (this.closed) throw new Error(`PcapFileWriter(${this.path}) is closed`);
    const size = PCAP_RECORD_HEADER_LENGTH + record.data.length;
    if (this.used + size > this.buffer.length) this.flush();
    if (size > this.buffer.length) {
      const one = Buffer.alloc(size);
      encodePcapRecordInto(one, 0, record, this.options);
      writeSync(this.fd, one);
    } else {
      this.used = encodePcapRecordInto(this.buffer, this.used, record, this.options);
    }
    this.records++;
    this.bytes += size;
  }

  /** Flushes and closes the file; calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  private append(bytes: Buffer): void {
    bytes.copy(this.buffer, this.used);
    this.used += bytes.length;
    this.bytes += bytes.length;
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }
}
