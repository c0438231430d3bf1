/**
 * Splits the bytes of an AMQP 1.0 connection into the protocol header and frames. A frame
 * inside one read is passed on as a slice of it; a frame that straddles reads is joined,
 * except a transfer's payload, which is passed on in its pieces, uncopied. Pure logic.
 */
import { CodecError, decodeTransferHead, type TransferHead } from './amqp-codec.ts';

/** Bytes of a straddling frame joined to find where a transfer's payload starts. */
const HEAD_JOIN = 256;

export interface FrameSink {
  /** The 8-byte protocol header (throw a CodecError if it is not AMQP 1.0). */
  header(b: Buffer): void;
  /** A frame other than a transfer (or an empty one: a heartbeat), at buf[start..end). */
  frame(buf: Buffer, start: number, end: number): void;
  /** A transfer and its payload (one slice, or the slices of several reads). */
  transfer(t: TransferHead, payload: Buffer | Buffer[]): void;
  /** Stop reading (the connection closed while a read was being parsed). */
  readonly stopped: boolean;
}

export class FrameReader {
  private headerDone = false;
  private pending: Buffer[] = [];
  private pendingLen = 0;

  constructor(private readonly maxFrameSize: number, private readonly sink: FrameSink) {}

  /** One read; throws a CodecError on bytes that are not AMQP 1.0 frames. */
  push(d: Buffer): void {
    if (this.pendingLen === 0) return this.parse(d, 0);
    this.pending.push(d);
    this.pendingLen += d.length;
    const need = this.neededBytes();
    if (need === undefined || this.pendingLen < need) return;
    // The pending unit ends in this read: handle it, then go on in this read.
    const before = this.pendingLen - d.length;
    const fromLast = need - before;
    const pieces = [...this.pending.slice(0, -1), d.subarray(0, fromLast)];
    this.pending = [];
    this.pendingLen = 0;
    this.consume(pieces, need);
    if (fromLast < d.length) this.parse(d, fromLast);
  }

  /** Bytes needed for the unit in `pending`, once its size is known. */
  private neededBytes(): number | undefined {
    if (!this.headerDone) return 8;
    if (this.pendingLen < 4) return undefined;
    return this.checkSize(Buffer.concat(this.pending, 4).readUInt32BE(0));
  }

  private checkSize(size: number): number {
    if (size < 8 || size > this.maxFrameSize) throw new CodecError(`frame size ${size} is outside 8..${this.maxFrameSize}`);
    return size;
  }

  private parse(buf: Buffer, at: number): void {
    let p = at;
    while (p < buf.length && !this.sink.stopped) {
      const left = buf.length - p;
      if (left < 8) break;
      if (!this.headerDone) {
        this.headerDone = true;
        this.sink.header(buf.subarray(p, p + 8));
        p += 8;
        continue;
      }
      const size = this.checkSize(buf.readUInt32BE(p));
      if (left < size) break;
      this.whole(buf, p, p + size);
      p += size;
    }
    if (p < buf.length) {
      this.pending = [buf.subarray(p)];
      this.pendingLen = buf.length - p;
    }
  }

  private whole(buf: Buffer, start: number, end: number): void {
    if (buf[start + 5] !== 0) throw new CodecError(`frame type ${buf[start + 5]} is not AMQP`);
    const body = start + buf[start + 4]! * 4;
    if (isTransfer(buf, body, end)) {
      const t = decodeTransferHead(buf, body, end);
      if (!t) throw new CodecError('truncated transfer');
      return this.sink.transfer(t, buf.subarray(t.payloadAt, end));
    }
    this.sink.frame(buf, start, end);
  }

  /** One unit of `size` bytes that arrived in several pieces. */
  private consume(pieces: Buffer[], size: number): void {
    if (!this.headerDone) {
      this.headerDone = true;
      return this.sink.header(Buffer.concat(pieces, size));
    }
    const headLen = Math.min(size, HEAD_JOIN);
    const head = Buffer.concat(pieces, headLen);
    if (head[5] !== 0) throw new CodecError(`frame type ${head[5]} is not AMQP`);
    const body = head[4]! * 4;
    if (size > HEAD_JOIN && isTransfer(head, body, headLen)) {
      const t = decodeTransferHead(head, body, headLen);
      if (t) {
        const parts: Buffer[] = [];
        let skip = t.payloadAt;
        for (const p of pieces) {
          if (skip >= p.length) {
            skip -= p.length;
            continue;
          }
          parts.push(skip ? p.subarray(skip) : p);
          skip = 0;
        }
        return this.sink.transfer(t, parts);
      }
    }
    const all = headLen === size ? head : Buffer.concat(pieces, size);
    this.whole(all, 0, size);
  }
}

/** The frame body at `at` starts with the transfer descriptor (0x00 smallulong 0x14). */
const isTransfer = (b: Buffer, at: number, end: number) => at + 3 <= end && b[at] === 0x00 && b[at + 1] === 0x53 && b[at + 2] === 0x14;
