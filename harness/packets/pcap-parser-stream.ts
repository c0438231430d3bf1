import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse as pcapParse, type PcapParserPacket } from 'pcap-parser';
import { parsePcapHeader, PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, type PcapHeader } from './pcap-header.ts';
import { recordLimitOf, recordTooLong, truncatedRecord, type TruncatedRecord } from './pcap-record.ts';

export type { PcapParserPacket };

/** What `framePcapStream` yields: complete records in arrival order, and at the end a cut record. */
export interface PcapFrames {
  header: PcapHeader;
  /** pcap-parser's packets: record header fields and a view of the captured bytes. */
  records: PcapParserPacket[];
  /** On the last batch only, when the input ended inside a record. */
  truncated?: TruncatedRecord;
}

/** Records held for a slow consumer before the input is paused (memory stays bounded). */
const QUEUE_HIGH = 8192;
const MAGIC_MICRO = 0xa1b2c3d4;

/**
 * Sits between the input and pcap-parser. It reads the global header first with our own
 * parser, so a file that is not pcap fails with our words (empty, cut header, pcapng, bad
 * magic, version) rather than pcap-parser's "unknown magic number". pcap-parser 0.2.1 knows
 * only the microsecond magic (either byte order); a nanosecond pcap has the very same
 * layout, so it is shown to pcap-parser with the microsecond magic of the same byte order,
 * and its fractions are read as nanoseconds (`header.nanosecond`).
 */
class HeaderGate extends Transform {
  header: PcapHeader | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly source: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.header) return done(null, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes < PCAP_HEADER_LENGTH) return done();
    const bytes = Buffer.concat(this.held);
    this.held = [];
    try {
      this.header = parsePcapHeader(bytes, this.source);
    } catch (e) {
      return done(e as Error);
    }
    if (this.header.nanosecond) {
      if (this.header.byteOrder === 'le') bytes.writeUInt32LE(MAGIC_MICRO, 0);
      else bytes.writeUInt32BE(MAGIC_MICRO, 0);
    }
    done(null, bytes);
  }

  override _flush(done: TransformCallback): void {
    if (this.header) return done();
    try {
      parsePcapHeader(Buffer.concat(this.held), this.source); // throws, saying why
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

/**
 * The bytes not yet framed: pcap-parser frames each chunk synchronously, so after each one
 * the unframed rest is the input's last `bytesIn - framed` bytes. Kept as references to the
 * chunks (no copy), to describe a file that ends inside a record.
 */
class Unframed {
  private parts: Buffer[] = [];
  private bytes = 0;

  /** Called after pcap-parser has framed `chunk`; `rest` is how many input bytes are still unframed. */
  update(chunk: Buffer, rest: number): void {
    if (rest <= chunk.length) {
      this.parts = rest === 0 ? [] : [chunk.subarray(chunk.length - rest)];
    } else {
      this.parts.push(chunk); // nothing was framed in this chunk: rest = previous rest + chunk
    }
    this.bytes = rest;
  }

  take(): Buffer {
    const all = Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    return all;
  }
}

function asReadable(source: string | Readable | AsyncIterable<Uint8Array>, chunkSize: number): Readable {
  if (typeof source === 'string') return createReadStream(source, { highWaterMark: chunkSize });
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false });
}

/**
 * Frames a classic pcap with pcap-parser as its bytes arrive: a file path (read in
 * `chunkSize` reads), `tcpdump -w -`'s stdout, or any stream of chunks. Yields the records
 * of each chunk once pcap-parser has framed it; pauses the input while the consumer lags.
 * Throws `PcapFormatError` for input that is not pcap, or for a record header claiming an
 * absurd length (pcap-parser would buffer the rest of the input waiting for it). A record
 * cut short by the end of the input, which pcap-parser drops, comes back as `truncated`.
 */
export async function* framePcapStream(
  source: string | Readable | AsyncIterable<Uint8Array>,
  options: { name?: string; chunkSize?: number } = {},
): AsyncGenerator<PcapFrames> {
  const name = options.name ?? (typeof source === 'string' ? source : 'stream');
  const input = asReadable(source, options.chunkSize ?? 1024 * 1024);
  const gate = new HeaderGate(name);
  const parser = pcapParse(gate);
  const unframed = new Unframed();
  let queue: PcapParserPacket[] = [];
  let failure: Error | undefined;
  let ended = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (e: Error) => {
    failure ??= e;
    input.destroy();
    gate.destroy();
    notify();
  };

  let bytesIn = 0;
  let framed = PCAP_HEADER_LENGTH;
  let records = 0;
  let limit = 0;
  parser.on('packetHeader', (h) => {
    limit ||= recordLimitOf(gate.header!);
    if (h.capturedLength > limit) fail(recordTooLong(name, records + 1, h.capturedLength, limit, framed));
  });
  parser.on('packet', (p) => {
    if (failure) return;
    records++;
    framed += PCAP_RECORD_HEADER_LENGTH + p.header.capturedLength;
    queue.push(p);
  });
  // Registered after pcap-parser's own 'data' listener, so it runs once the chunk is framed.
  gate.on('data', (chunk: Buffer) => {
    bytesIn += chunk.length;
    if (gate.header) unframed.update(chunk, bytesIn - framed);
    if (queue.length >= QUEUE_HIGH && !paused) {
      paused = true;
      gate.pause();
    }
    notify();
  });
  parser.on('error', fail);
  parser.on('end', () => {
    ended = true;
    notify();
  });
  input.on('error', fail);
  input.pipe(gate);

  try {
    for (;;) {
      if (failure) throw failure;
      if (queue.length > 0) {
        const records = queue;
        queue = [];
        if (paused) {
          paused = false;
          gate.resume();
        }
        yield { header: gate.header!, records };
        continue;
      }
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure) throw failure;
    if (!gate.header) return;
    const truncated = truncatedRecord(unframed.take(), gate.header, framed);
    if (truncated) yield { header: gate.header, records: [], truncated };
  } finally {
    input.destroy();
    gate.destroy();
  }
}
