import { open } from 'node:fs/promises';
import { PacketDecoder, type DecodeOptions } from './decoder.ts';
import type { Packet } from './packet.ts';
import { PacketList } from './packet-list.ts';
import { framePcapStream } from './pcap-parser-stream.ts';
import { fractionToNsec, type TruncatedRecord } from './pcap-record.ts';
import { PcapScanner } from './pcap-scanner.ts';

/**
 * Who finds the records in the bytes. `pcap-parser` (the npm package; the default) frames
 * captures and streams; `scanner` (ours) frames without a copy or an object per record and
 * is several times faster on big files (bench/decode), so `knetsim decode` uses it.
 */
export type PcapFramer = 'pcap-parser' | 'scanner';

export interface ReadOptions extends DecodeOptions {
  /** Bytes read from a file at a time; default 1 MiB. */
  chunkSize?: number;
  /** Default `pcap-parser`. */
  framer?: PcapFramer;
}

/** A file path, or the bytes of a pcap arriving in order (a stream, `tcpdump -w -` stdout). */
export type PcapSource = string | AsyncIterable<Uint8Array>;

const DEFAULT_CHUNK = 1024 * 1024;
/** Packets per yielded batch: short-lived enough to die in the young generation. */
const BATCH = 128;

/**
 * Feeds a file to the scanner in large reads; the unread tail of one read is copied to the
 * front of the next buffer, so no chunk is ever concatenated. Yields after each read.
 */
export function feedScanner(source: PcapSource, scanner: PcapScanner, chunkSize = DEFAULT_CHUNK): AsyncGenerator<void> {
  return typeof source === 'string' ? feedFile(source, scanner, chunkSize) : feedStream(source, scanner);
}

async function* feedFile(path: string, scanner: PcapScanner, chunkSize: number): AsyncGenerator<void> {
  const file = await open(path, 'r');
  try {
    for (;;) {
      const rest = scanner.takeRemainder();
      const size = Math.max(chunkSize, (rest?.length ?? 0) * 2);
      const buffer = Buffer.allocUnsafe(size);
      const kept = rest ? rest.copy(buffer, 0) : 0;
      const { bytesRead } = await file.read(buffer, kept, size - kept, null);
      if (bytesRead === 0) {
        if (rest) scanner.push(rest);
        return;
      }
      scanner.push(buffer.subarray(0, kept + bytesRead));
      yield;
    }
  } finally {
    await file.close();
  }
}

async function* feedStream(source: AsyncIterable<Uint8Array>, scanner: PcapScanner): AsyncGenerator<void> {
  for await (const chunk of source) {
    scanner.push(asBuffer(chunk));
    yield;
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The packet for a record the file cut short: what decodes, marked malformed by the pcap layer. */
function truncatedPacket(decoder: PacketDecoder, t: TruncatedRecord, index: number, linkType: number): Packet {
  const p = decoder.decodeAt(t.data, 0, t.data.length, Math.max(t.originalLength, t.data.length), linkType, index, t.tsSec, t.tsNsec);
  p.malformed = { offset: t.data.length, reason: `${t.reason} (record at file byte ${t.fileOffset})`, layer: 'pcap' };
  return p;
}

/** Decodes what pcap-parser frames, BATCH packets at a time. */
async function* decodeParsed(source: PcapSource, options: ReadOptions): AsyncGenerator<Packet[]> {
  const decoder = new PacketDecoder(options);
  let index = 0;
  for await (const { header, records, truncated } of framePcapStream(source, { chunkSize: options.chunkSize ?? DEFAULT_CHUNK })) {
    for (let from = 0; from < records.length; from += BATCH) {
      const batch: Packet[] = [];
      for (const { header: r, data } of records.slice(from, from + BATCH)) {
        index++;
        batch.push(decoder.decodeAt(data, 0, data.length, r.originalLength, header.linkType, index, r.timestampSeconds, fractionToNsec(header, r.timestampMicroseconds)));
      }
      yield batch;
    }
    if (truncated) yield [truncatedPacket(decoder, truncated, index + 1, header.linkType)];
  }
}

/**
 * Streams the packets of a pcap file or stream, a batch at a time, decoding as bytes arrive.
 * Memory stays bounded by the chunk size whatever the file size. Throws `PcapFormatError`
 * for input that is not pcap; a record cut short at the end comes last, marked `malformed`.
 */
export function streamPacketBatches(source: PcapSource, options: ReadOptions = {}): AsyncGenerator<Packet[]> {
  return (options.framer ?? 'pcap-parser') === 'pcap-parser' ? decodeParsed(source, options) : decodeScanned(source, options);
}

/** Our scanner: frames by offset into each read (no copy, no object per record). */
async function* decodeScanned(source: PcapSource, options: ReadOptions): AsyncGenerator<Packet[]> {
  const name = typeof source === 'string' ? source : 'stream';
  const scanner = new PcapScanner(name);
  const decoder = new PacketDecoder(options);
  let batch: Packet[] = [];
  const visit = (b: Buffer, offset: number, captured: number, original: number, tsSec: number, tsNsec: number) => {
    batch.push(decoder.decodeAt(b, offset, captured, original, scanner.header!.linkType, scanner.records, tsSec, tsNsec));
  };
  for await (const _ of feedScanner(source, scanner, options.chunkSize)) {
    while (scanner.scan(visit, BATCH) > 0) {
      yield batch;
      batch = [];
    }
  }
  const cut = scanner.end();
  if (cut) yield [truncatedPacket(decoder, cut, scanner.records + 1, scanner.header!.linkType)];
}

/** Streams the packets of a pcap file one by one (see `streamPacketBatches`). */
export async function* streamPackets(source: PcapSource, options: ReadOptions = {}): AsyncGenerator<Packet> {
  for await (const batch of streamPacketBatches(source, options)) yield* batch;
}

/** Reads and decodes a whole pcap file (a test capture) into a `PacketList`. */
export async function decodePcapFile(source: PcapSource, options: ReadOptions = {}): Promise<PacketList> {
  const packets: Packet[] = [];
  for await (const batch of streamPacketBatches(source, options)) {
    for (const p of batch) packets.push(p);
  }
  return new PacketList(packets);
}

/** Decodes a pcap held in memory, synchronously (our scanner: pcap-parser reads only streams). */
export function decodePcapBuffer(bytes: Uint8Array, options: DecodeOptions = {}): PacketList {
  const scanner = new PcapScanner('buffer');
  const decoder = new PacketDecoder(options);
  const packets: Packet[] = [];
  scanner.push(asBuffer(bytes));
  scanner.scan((b, offset, captured, original, tsSec, tsNsec) => {
    packets.push(decoder.decodeAt(b, offset, captured, original, scanner.header!.linkType, scanner.records, tsSec, tsNsec));
  });
  const cut = scanner.end();
  if (cut) packets.push(truncatedPacket(decoder, cut, scanner.records + 1, scanner.header!.linkType));
  return new PacketList(packets);
}
