/**
 * AMQP 1.0 type system and frames, as much as the data connections need: a decoder for
 * every primitive and compound type, an encoder for the values performatives carry, the nine
 * connection/session/link performatives by descriptor, and frame headers. Pure logic.
 */
import { HarnessError } from '../sys/errors.ts';

/** A symbol (AMQP `symbol`), distinct from a string when encoding. */
export class Sym {
  constructor(readonly name: string) {}
}

/** A value with a descriptor (a described type) as decoded; `code` when the descriptor is numeric. */
export interface Described {
  descriptor: number | string;
  value: unknown;
}

export const isDescribed = (v: unknown): v is Described =>
  typeof v === 'object' && v !== null && 'descriptor' in v && 'value' in v;

/** Bytes that are not the AMQP 1.0 this router speaks (the connection is closed with amqp:decode-error). */
export class CodecError extends HarnessError {
  override name = 'CodecError';
}

// ---------------------------------------------------------------------------------------
// Decoding

export class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CodecError(`truncated value: need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
  }

  value(): unknown {
    this.need(1);
    const code = this.buf[this.pos++]!;
    if (code === 0x00) {
      const descriptor = this.value();
      const value = this.value();
      return { descriptor: typeof descriptor === 'bigint' ? Number(descriptor) : descriptor instanceof Sym ? descriptor.name : (descriptor as number), value };
    }
    return this.primitive(code);
  }

  private primitive(code: number): unknown {
    const b = this.buf;
    switch (code) {
      case 0x40: return null;
      case 0x41: return true;
      case 0x42: return false;
      case 0x56: this.need(1); return b[this.pos++] !== 0;
      case 0x43: case 0x44: return 0;
      case 0x50: this.need(1); return b[this.pos++]!;
      case 0x51: this.need(1); return b.readInt8(this.pos++);
      case 0x52: case 0x53: this.need(1); return b[this.pos++]!;
      case 0x54: this.need(1); return b.readInt8(this.pos++);
      case 0x55: this.need(1); return b.readInt8(this.pos++);
      case 0x60: this.need(2); this.pos += 2; return b.readUInt16BE(this.pos - 2);
      case 0x61: this.need(2); this.pos += 2; return b.readInt16BE(this.pos - 2);
      case 0x70: this.need(4); this.pos += 4; return b.readUInt32BE(this.pos - 4);
      case 0x71: this.need(4); this.pos += 4; return b.readInt32BE(this.pos - 4);
      case 0x72: this.need(4); this.pos += 4; return b.readFloatBE(this.pos - 4);
      case 0x73: this.need(4); this.pos += 4; return String.fromCodePoint(b.readUInt32BE(this.pos - 4));
      case 0x80: { this.need(8); const v = b.readBigUInt64BE(this.pos); this.pos += 8; return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v; }
      case 0x81: case 0x83: { this.need(8); const v = b.readBigInt64BE(this.pos); this.pos += 8; return Number(v); }
      case 0x82: this.need(8); this.pos += 8; return b.readDoubleBE(this.pos - 8);
      case 0x74: this.need(4); this.pos += 4; return b.subarray(this.pos - 4, this.pos); // decimal32, opaque
      case 0x84: this.need(8); this.pos += 8; return b.subarray(this.pos - 8, this.pos);
      case 0x94: case 0x98: this.need(16); this.pos += 16; return b.subarray(this.pos - 16, this.pos);
      case 0xa0: case 0xa1: case 0xa3: case 0xb0: case 0xb1: case 0xb3: {
        const n = code & 0x10 ? this.u32() : this.u8();
        this.need(n);
        const start = this.pos;
        this.pos += n;
        if ((code & 0x0f) === 0) return b.subarray(start, this.pos);
        const s = b.toString('utf8', start, this.pos);
        return (code & 0x0f) === 3 ? new Sym(s) : s;
      }
      case 0x45: return [];
      case 0xc0: case 0xd0: case 0xc1: case 0xd1: {
        const wide = code >= 0xd0;
        const size = wide ? this.u32() : this.u8();
        this.need(size);
        const end = this.pos + size;
        const count = wide ? this.u32() : this.u8();
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) items.push(this.value());
        if (this.pos !== end) throw new CodecError(`compound size ${size} does not match its ${count} items`);
        if ((code & 0x0f) === 0) return items;
        const m = new Map<unknown, unknown>();
        for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i] instanceof Sym ? (items[i] as Sym).name : items[i], items[i + 1]);
        return m;
      }
      case 0xe0: case 0xf0: {
        const wide = code === 0xf0;
        const size = wide ? this.u32() : this.u8();
        this.need(size);
        const end = this.pos + size;
        const count = wide ? this.u32() : this.u8();
        const elemStart = this.pos;
        this.need(1);
        let elemCode = b[this.pos++]!;
        let descriptor: unknown;
        if (elemCode === 0x00) {
          descriptor = this.value();
          this.need(1);
          elemCode = b[this.pos++]!;
        }
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) items.push(this.primitive(elemCode));
        if (this.pos !== end || elemStart > end) throw new CodecError(`array size ${size} does not match its ${count} items`);
        return descriptor === undefined ? items : items.map((value) => ({ descriptor, value }));
      }
      default:
        throw new CodecError(`unknown AMQP type code 0x${code.toString(16)} at ${this.pos - 1}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private u32(): number {
    this.need(4);
    this.pos += 4;
    return this.buf.readUInt32BE(this.pos - 4);
  }
}

// ---------------------------------------------------------------------------------------
// Encoding

/** A value whose AMQP type a plain JS value does not say (a uint, a described list...). */
export class Typed {
  constructor(
    readonly t: 'uint' | 'ushort' | 'ubyte' | 'described',
    readonly v: number | unknown[],
    readonly code = 0,
  ) {}
}

export const uint = (v: number): Typed => new Typed('uint', v);
export const ushort = (v: number): Typed => new Typed('ushort', v);
export const ubyte = (v: number): Typed => new Typed('ubyte', v);
export const described = (code: number, v: unknown[]): Typed => new Typed('described', v, code);

const isTyped = (v: unknown): v is Typed => v instanceof Typed;

export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  uint(v: number): void {
    v >>>= 0;
    if (v === 0) this.u8(0x43);
    else if (v < 256) {
      this.u8(0x52);
      this.u8(v);
    } else {
      this.u8(0x70);
      this.u32(v);
    }
  }

  ulong(v: number): void {
    if (v === 0) this.u8(0x44);
    else if (v < 256) {
      this.u8(0x53);
      this.u8(v);
    } else {
      this.u8(0x80);
      this.ensure(8);
      this.buf.writeBigUInt64BE(BigInt(v), this.pos);
      this.pos += 8;
    }
  }

  private bytes(small: number, large: number, data: Buffer): void {
    if (data.length < 256) {
      this.u8(small);
      this.u8(data.length);
    } else {
      this.u8(large);
      this.u32(data.length);
    }
    this.ensure(data.length);
    data.copy(this.buf, this.pos);
    this.pos += data.length;
  }

  string(s: string): void {
    this.bytes(0xa1, 0xb1, Buffer.from(s, 'utf8'));
  }

  symbol(s: string): void {
    this.bytes(0xa3, 0xb3, Buffer.from(s, 'ascii'));
  }

  binary(b: Buffer): void {
    this.bytes(0xa0, 0xb0, b);
  }

  /** A list or map: writes the items with `body`, then the size and count in front. */
  compound(code8: number, code32: number, count: number, body: () => void): void {
    if (code8 === 0xc0 && count === 0) return this.u8(0x45);
    this.ensure(9);
    const at = this.pos;
    this.pos += 9;
    body();
    const size = this.pos - at - 5; // count field + items
    if (size < 256 && count < 256) {
      this.buf[at] = code8;
      this.buf[at + 1] = size - 3;
      this.buf[at + 2] = count;
      this.buf.copy(this.buf, at + 3, at + 9, this.pos);
      this.pos -= 6;
    } else {
      this.buf[at] = code32;
      this.buf.writeUInt32BE(size, at + 1);
      this.buf.writeUInt32BE(count, at + 5);
    }
  }

  /** Any JS value: strings, numbers (int or double), booleans, null, Buffers, Sym, arrays (lists), Maps and plain objects (maps). */
  value(v: unknown): void {
    if (v === null || v === undefined) return this.u8(0x40);
    if (isTyped(v)) return this.typed(v);
    if (v instanceof Sym) return this.symbol(v.name);
    switch (typeof v) {
      case 'string': return this.string(v);
      case 'boolean': return this.u8(v ? 0x41 : 0x42);
      case 'bigint':
        this.u8(0x81);
        this.ensure(8);
        this.buf.writeBigInt64BE(v, this.pos);
        this.pos += 8;
        return;
      case 'number':
        if (Number.isInteger(v) && v >= -128 && v <= 127) {
          this.u8(0x54);
          this.ensure(1);
          this.buf.writeInt8(v, this.pos++);
        } else if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
          this.u8(0x71);
          this.ensure(4);
          this.buf.writeInt32BE(v, this.pos);
          this.pos += 4;
        } else if (Number.isSafeInteger(v)) {
          this.u8(0x81);
          this.ensure(8);
          this.buf.writeBigInt64BE(BigInt(v), this.pos);
          this.pos += 8;
        } else {
          this.u8(0x82);
          this.ensure(8);
          this.buf.writeDoubleBE(v, this.pos);
          this.pos += 8;
        }
        return;
    }
    if (Buffer.isBuffer(v)) return this.binary(v);
    if (Array.isArray(v)) return this.compound(0xc0, 0xd0, v.length, () => v.forEach((x) => this.value(x)));
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
    this.compound(0xc1, 0xd1, entries.length * 2, () => {
      for (const [k, x] of entries) {
        this.value(k);
        this.value(x);
      }
    });
  }

  /** A map whose keys are symbols (open/attach `properties`, error `info`). */
  fields(o: Record<string, unknown>): void {
    const entries = Object.entries(o).filter(([, x]) => x !== undefined);
    this.compound(0xc1, 0xd1, entries.length * 2, () => {
      for (const [k, x] of entries) {
        this.symbol(k);
        this.value(x);
      }
    });
  }

  private typed(v: Typed): void {
    switch (v.t) {
      case 'uint': return this.uint(v.v as number);
      case 'ushort': this.u8(0x60); return this.u16(v.v as number);
      case 'ubyte': this.u8(0x50); return this.u8(v.v as number);
      case 'described':
        this.u8(0x00);
        this.ulong(v.code);
        return this.value(v.v);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Performatives

export const PERFORMATIVE = {
  open: 0x10, begin: 0x11, attach: 0x12, flow: 0x13, transfer: 0x14, disposition: 0x15, detach: 0x16, end: 0x17, close: 0x18,
} as const;
export type PerformativeName = keyof typeof PERFORMATIVE;
export const ERROR_CODE = 0x1d;
export const TARGET_CODE = 0x29;

/** Field names per performative, in wire order (the AMQP 1.0 spec, part 2.7). */
const FIELDS: Record<PerformativeName, readonly string[]> = {
  open: ['containerId', 'hostname', 'maxFrameSize', 'channelMax', 'idleTimeOut', 'outgoingLocales', 'incomingLocales', 'offeredCapabilities', 'desiredCapabilities', 'properties'],
  begin: ['remoteChannel', 'nextOutgoingId', 'incomingWindow', 'outgoingWindow', 'handleMax', 'offeredCapabilities', 'desiredCapabilities', 'properties'],
  attach: ['name', 'handle', 'role', 'sndSettleMode', 'rcvSettleMode', 'source', 'target', 'unsettled', 'incompleteUnsettled', 'initialDeliveryCount', 'maxMessageSize', 'offeredCapabilities', 'desiredCapabilities', 'properties'],
  flow: ['nextIncomingId', 'incomingWindow', 'nextOutgoingId', 'outgoingWindow', 'handle', 'deliveryCount', 'linkCredit', 'available', 'drain', 'echo', 'properties'],
  transfer: ['handle', 'deliveryId', 'deliveryTag', 'messageFormat', 'settled', 'more', 'rcvSettleMode', 'state', 'resume', 'aborted', 'batchable'],
  disposition: ['role', 'first', 'last', 'settled', 'state', 'batchable'],
  detach: ['handle', 'closed', 'error'],
  end: ['error'],
  close: ['error'],
};
const BY_CODE = new Map<number, PerformativeName>(Object.entries(PERFORMATIVE).map(([k, v]) => [v, k as PerformativeName]));

/** A decoded performative: its name and its fields by (camelCase) name. */
export interface Performative {
  name: PerformativeName;
  fields: Record<string, unknown>;
}

export interface AmqpError {
  condition: string;
  description?: string;
}

export function errorValue(e: AmqpError | undefined): Typed | undefined {
  return e ? described(ERROR_CODE, [new Sym(e.condition), e.description ?? null]) : undefined;
}

export function readError(v: unknown): AmqpError | undefined {
  if (!isDescribed(v) || !Array.isArray(v.value)) return undefined;
  const [condition, description] = v.value as unknown[];
  return { condition: condition instanceof Sym ? condition.name : String(condition), ...(typeof description === 'string' ? { description } : {}) };
}

/** Decodes the performative at the start of a frame body. */
export function decodePerformative(r: Reader): Performative {
  const v = r.value();
  if (!isDescribed(v) || typeof v.descriptor !== 'number') throw new CodecError('frame body is not a described performative');
  const name = BY_CODE.get(v.descriptor);
  if (!name) throw new CodecError(`unknown performative descriptor 0x${v.descriptor.toString(16)}`);
  const list = Array.isArray(v.value) ? v.value : [];
  const fields: Record<string, unknown> = {};
  const names = FIELDS[name];
  for (let i = 0; i < list.length && i < names.length; i++) if (list[i] !== null) fields[names[i]!] = list[i];
  return { name, fields };
}

/** Encodes a performative (fields by name; unset ones are null, trailing nulls dropped). */
export function encodePerformative(w: Writer, name: PerformativeName, fields: Record<string, unknown>): void {
  const names = FIELDS[name];
  let last = -1;
  for (let i = 0; i < names.length; i++) if (fields[names[i]!] !== undefined) last = i;
  w.u8(0x00);
  w.ulong(PERFORMATIVE[name]);
  w.compound(0xc0, 0xd0, last + 1, () => {
    for (let i = 0; i <= last; i++) {
      const key = names[i]!;
      const v = fields[key];
      if (key === 'properties' && v && typeof v === 'object' && !isTyped(v) && !(v instanceof Map)) w.fields(v as Record<string, unknown>);
      else w.value(v);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Frames

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]);
/** Smallest max-frame-size AMQP allows. */
export const MIN_MAX_FRAME_SIZE = 512;

/** Writes a whole AMQP frame (header, performative, payload) into `w`. */
export function encodeFrame(w: Writer, channel: number, name: PerformativeName, fields: Record<string, unknown>, payload?: Buffer): void {
  const at = w.pos;
  w.ensure(8);
  w.pos += 8;
  encodePerformative(w, name, fields);
  if (payload) {
    w.ensure(payload.length);
    payload.copy(w.buf, w.pos);
    w.pos += payload.length;
  }
  w.buf.writeUInt32BE(w.pos - at, at);
  w.buf[at + 4] = 2;
  w.buf[at + 5] = 0;
  w.buf.writeUInt16BE(channel, at + 6);
}

/** Bytes of a transfer frame's header and performative as written by `encodeTransferHead`. */
export const TRANSFER_HEAD_MAX = 8 + 3 + 3 + 5 + 5 + 6 + 5 + 1;

/**
 * The head of a single-frame, pre-settled transfer: frame header plus performative
 * {handle, delivery-id, delivery-tag (4 bytes: the delivery id), message-format, settled};
 * the payload follows it on the wire. Returns the head's length.
 */
export function encodeTransferHead(buf: Buffer, at: number, channel: number, handle: number, deliveryId: number, format: number, payloadLength: number): number {
  let p = at + 8;
  buf[p++] = 0x00;
  buf[p++] = 0x53;
  buf[p++] = 0x14;
  buf[p++] = 0xc0;
  const sizeAt = p++;
  buf[p++] = 5;
  if (handle < 256) {
    buf[p++] = 0x52;
    buf[p++] = handle;
  } else {
    buf[p++] = 0x70;
    buf.writeUInt32BE(handle, p);
    p += 4;
  }
  buf[p++] = 0x70;
  buf.writeUInt32BE(deliveryId >>> 0, p);
  p += 4;
  buf[p++] = 0xa0;
  buf[p++] = 4;
  buf.writeUInt32BE(deliveryId >>> 0, p);
  p += 4;
  buf[p++] = 0x70;
  buf.writeUInt32BE(format >>> 0, p);
  p += 4;
  buf[p++] = 0x41;
  buf[sizeAt] = p - sizeAt - 1;
  const len = p - at;
  buf.writeUInt32BE(len + payloadLength, at);
  buf[at + 4] = 2;
  buf[at + 5] = 0;
  buf.writeUInt16BE(channel, at + 6);
  return len;
}

/** What the data path needs of a transfer: its link handle and message format, and where its payload starts. */
export interface TransferHead {
  handle: number;
  format: number;
  payloadAt: number;
}

/**
 * Decodes the transfer performative whose descriptor is at `at`; undefined when its fields
 * do not fit before `end`. Multi-frame deliveries (more = true) are refused.
 */
export function decodeTransferHead(buf: Buffer, at: number, end: number): TransferHead | undefined {
  const r = new Reader(buf, at + 3, end);
  if (r.pos >= end) return undefined;
  const code = buf[r.pos++];
  let count: number;
  try {
    if (code === 0xc0) {
      r.pos++;
      count = buf[r.pos++]!;
    } else if (code === 0xd0) {
      r.pos += 4;
      count = buf.readUInt32BE(r.pos);
      r.pos += 4;
    } else if (code === 0x45) count = 0;
    else throw new CodecError(`transfer fields are not a list (0x${(code ?? 0).toString(16)})`);
    let handle = 0;
    let format = 0;
    for (let i = 0; i < count; i++) {
      const v = r.value();
      if (i === 0) handle = Number(v);
      else if (i === 3) format = Number(v ?? 0);
      else if (i === 5 && v === true) throw new CodecError('multi-frame transfers are not used on data connections');
    }
    if (r.pos > end) return undefined;
    return { handle, format, payloadAt: r.pos };
  } catch (e) {
    if (e instanceof CodecError && e.message.startsWith('truncated')) return undefined;
    throw e;
  }
}
