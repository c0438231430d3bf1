import { HarnessError } from '../sys/errors.ts';

/** A pcap file that cannot be read: a bad global header, an empty file, a corrupt record header. */
export class PcapFormatError extends HarnessError {
  override name = 'PcapFormatError';
  constructor(
    /** Where the bytes came from: a file path, or `buffer`. */
    readonly source: string,
    /** What is wrong, in words. */
    readonly reason: string,
    /** Byte offset in the file where the problem was found. */
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(`${source}: not a readable pcap file: ${reason} (at byte ${offset})`, options);
  }
}
