// Types for pcap-parser 0.2.1 (an untyped CommonJS package): the part of its API we use.
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  /** A record header, as the package names its fields (the fraction is microseconds in its eyes). */
  export interface PcapParserRecordHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface PcapParserPacket {
    header: PcapParserRecordHeader;
    /** A view of the captured bytes (no copy). */
    data: Buffer;
  }

  /**
   * Emits `globalHeader`, then `packetHeader` and `packet` for each record, `end` when the
   * input ends (a cut final record is dropped silently), `error` for a stream error or a
   * magic number it does not know.
   */
  export interface PcapParser extends EventEmitter {
    on(event: 'packet', listener: (packet: PcapParserPacket) => void): this;
    on(event: 'packetHeader', listener: (header: PcapParserRecordHeader) => void): this;
    on(event: 'globalHeader', listener: (header: Record<string, number>) => void): this;
    on(event: 'end', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  /** Parses a file (opened with a 64 KiB read stream) or any readable stream of pcap bytes. */
  export function parse(input: string | Readable): PcapParser;
}
