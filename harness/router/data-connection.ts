/**
 * An inter-router *data* connection: AMQP 1.0 over one TCP (or TLS) socket, one session,
 * carrying TCP flows on pooled links (skrouterd's inter-router-data connections and
 * streaming-link pool are the model). Written for the router's data path rather than with
 * rhea: frames are batched into one socket write per event-loop turn, payloads are never
 * copied on the way out and only when they straddle two reads on the way in, and a flow
 * reuses an attached link instead of attaching and detaching one per connection.
 *
 * Links: every link is a sender on one side and a receiver on the other, attached once and
 * reused. A sender link from the pool carries one direction of one flow at a time; the
 * messages on it (pre-settled, one frame each, our own message-format codes) are
 * FORMAT_BEGIN (flow metadata), FORMAT_DATA (bytes), and FORMAT_END (half-close) or
 * FORMAT_ABORT (reset), after which the link goes back to the pool. A receiver grants
 * `window` credits and tops them up as its reader consumes, so a slow reader stops the
 * sender and each direction of a flow holds at most `window` frames per hop.
 */
import type { Socket } from 'node:net';
import { FrameReader } from './frame-reader.ts';
import {
  CodecError, decodePerformative, encodeFrame, encodeTransferHead, errorValue, MIN_MAX_FRAME_SIZE, PROTOCOL_HEADER, Reader,
  readError, TARGET_CODE, TRANSFER_HEAD_MAX, described, uint, ubyte, ushort, type AmqpError, type Performative, Writer,
} from './amqp-codec.ts';

export const FORMAT_BEGIN = 0x4b4e5410;
export const FORMAT_DATA = 0x4b4e5401;
export const FORMAT_END = 0x4b4e5402;
export const FORMAT_ABORT = 0x4b4e5403;
/** Bytes one direction of a flow may have in flight per hop (rounded to whole frames). */
export const WINDOW_BYTES = 1 << 20;
/** Sender links kept attached and idle, ready for new flows. */
export const POOL_MIN_IDLE = 8;
/** Idle sender links above this many are detached instead of going back to the pool. */
export const POOL_MAX_IDLE = 256;
/** Every this often, idle links that no flow needed since the last time are detached (down to POOL_MIN_IDLE). */
export const POOL_SCRUB_MS = 10_000;
const FLOW_TARGET = '_knetsim/flow';
const SLAB = 64 * 1024;
const SMALL_PAYLOAD = 512;

export interface DataConnectionOptions {
  containerId: string;
  /** Largest frame we accept (listener/connector maxFrameSize). */
  maxFrameSize: number;
  /** Session incoming window in frames (maxSessionFrames). */
  incomingWindow: number;
  /** We expect a frame from the peer at least this often; 0: never. */
  idleTimeoutMs: number;
  properties: Record<string, unknown>;
}

/** Receives deliveries of one direction of a flow. */
export interface InboundSink {
  delivery(format: number, payload: Buffer): void;
}

/** Sender link: our side sends. */
export class OutLink {
  remoteHandle: number | undefined;
  /** Transfers the peer still allows: its delivery-count + link-credit − ours. */
  credit = 0;
  deliveryCount = 0;
  closed = false;
  /** Called when credit arrives (or the link is detached: `closed`). */
  onCredit: (() => void) | undefined;
  constructor(readonly handle: number, readonly name: string) {}
}

/** Receiver link: the peer sends. */
export class InLink {
  /** Credit currently granted and not yet used. */
  granted = 0;
  deliveryCount = 0;
  sink: InboundSink | undefined;
  paused = false;
  closed = false;
  constructor(readonly handle: number, readonly remoteHandle: number, readonly name: string) {}
}

export interface DataConnectionHooks {
  /** The peer's open arrived; return an error to refuse the connection. */
  open: (properties: Record<string, unknown>) => AmqpError | undefined;
  /** Session and open done both ways: ready for flows. */
  ready: () => void;
  /** A message on a receiver link with no sink (FORMAT_BEGIN starts a flow). */
  unowned: (link: InLink, format: number, payload: Buffer) => void;
  closed: (error: AmqpError | undefined) => void;
}

type State = 'header' | 'open' | 'closing' | 'closed';

const noHooks: DataConnectionHooks = { open: () => undefined, ready: () => undefined, unowned: () => undefined, closed: () => undefined };

export class DataConnection {
  /** What the owner does on connection events; set before the peer's frames can arrive. */
  hooks: DataConnectionHooks = { ...noHooks };
  private state: State = 'header';
  private peerOpened = false;
  private peerBegun = false;
  private isReady = false;
  /** Frame size both sides accept; our outgoing frames never exceed it. */
  frameSize = MIN_MAX_FRAME_SIZE;
  remoteProperties: Record<string, unknown> = {};
  window = 8;

  // session
  private nextOutgoingId = 0;
  private remoteIncomingWindow = 0;
  private nextIncomingId = 0;
  private incomingSinceFlow = 0;
  private readonly blocked: OutLink[] = [];

  // links
  private nextHandle = 0;
  private readonly freeHandles: number[] = [];
  private readonly byRemote = new Map<number, OutLink | InLink>();
  private readonly byName = new Map<string, OutLink>();
  private readonly idle: OutLink[] = [];
  /** Fewest idle links since the last scrub: more than POOL_MIN_IDLE of them were never needed. */
  private idleLow = 0;
  private scrubber: NodeJS.Timeout | undefined;
  private linkSeq = 0;
  readonly inLinks = new Set<InLink>();
  readonly outLinks = new Set<OutLink>();

  // output
  private slab = Buffer.allocUnsafe(SLAB);
  private slabPos = 0;
  private regionStart = 0;
  private out: Buffer[] = [];
  private flushScheduled = false;
  private readonly writer = new Writer(4096);
  private lastWrite = Date.now();

  // input
  private readonly reader: FrameReader;
  private lastRead = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private remoteIdleMs = 0;
  error: AmqpError | undefined;

  constructor(readonly socket: Socket, readonly options: DataConnectionOptions) {
    const conn = this;
    this.reader = new FrameReader(options.maxFrameSize, {
      header: (b) => this.onHeader(b),
      frame: (buf, start, end) => this.onFrame(buf, start, end),
      transfer: (t, payload) => this.onTransferPayload(t.handle, t.format, payload),
      get stopped() {
        return conn.state === 'closed';
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.gone({ condition: 'amqp:connection:forced', description: e.message }));
    socket.on('close', () => this.gone(this.state === 'closing' ? this.error : this.error ?? { condition: 'amqp:connection:forced', description: 'socket closed' }));
    this.push(PROTOCOL_HEADER);
    this.frame('open', {
      containerId: options.containerId,
      maxFrameSize: uint(options.maxFrameSize),
      channelMax: ushort(0),
      ...(options.idleTimeoutMs ? { idleTimeOut: uint(options.idleTimeoutMs) } : {}),
      properties: options.properties,
    });
    this.frame('begin', { nextOutgoingId: uint(0), incomingWindow: uint(options.incomingWindow), outgoingWindow: uint(0xffffffff) });
  }

  get ready(): boolean {
    return this.isReady;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes queued for the socket (ours and Node's). */
  bufferedBytes(): number {
    let n = this.socket.writableLength;
    for (const b of this.out) n += b.length;
    return n;
  }

  /** Links rhea-style: every attached link on this connection. */
  linkCount(): number {
    return this.inLinks.size + this.outLinks.size;
  }

  /** The largest payload of one single-frame transfer. */
  get maxPayload(): number {
    return this.frameSize - TRANSFER_HEAD_MAX;
  }

  // ---------------------------------------------------------------------------------------
  // Links

  private allocHandle(): number {
    return this.freeHandles.pop() ?? this.nextHandle++;
  }

  /** A sender link for a new flow direction: an idle one from the pool, else a new one. */
  takeSender(): OutLink {
    let l = this.idle.pop();
    while (l && l.closed) l = this.idle.pop();
    if (!l) l = this.attachSender();
    if (this.idle.length < this.idleLow) this.idleLow = this.idle.length;
    for (let i = this.idle.length; i < POOL_MIN_IDLE && this.isReady; i++) this.idle.push(this.attachSender());
    return l;
  }

  /** Detaches the idle links that no flow took since the last scrub (the oldest first). */
  scrub(): void {
    const surplus = Math.min(this.idleLow, this.idle.length) - POOL_MIN_IDLE;
    if (surplus > 0 && this.state === 'open') for (const l of this.idle.splice(0, surplus)) this.detach(l);
    this.idleLow = this.idle.length;
  }

  /** Back to the pool once a flow direction has sent END or ABORT. */
  releaseSender(l: OutLink): void {
    l.onCredit = undefined;
    if (l.closed || this.state !== 'open') return;
    if (this.idle.length >= POOL_MAX_IDLE) return this.detach(l);
    this.idle.push(l);
  }

  /** Aborts the flow direction on `l` without a message (no credit for one): detach with an error. */
  abortSender(l: OutLink, reason: string): void {
    l.onCredit = undefined;
    const i = this.idle.indexOf(l);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.state === 'open') this.detach(l, { condition: 'amqp:link:detach-forced', description: reason.slice(0, 200) });
  }

  private attachSender(): OutLink {
    const l = new OutLink(this.allocHandle(), `flow/${this.options.containerId}/${++this.linkSeq}`);
    this.byName.set(l.name, l);
    this.outLinks.add(l);
    this.frame('attach', {
      name: l.name, handle: uint(l.handle), role: false, sndSettleMode: ubyte(1), rcvSettleMode: ubyte(0),
      target: described(TARGET_CODE, [FLOW_TARGET]), initialDeliveryCount: uint(0),
    });
    return l;
  }

  private detach(l: OutLink | InLink, error?: AmqpError): void {
    if (l.closed) return;
    l.closed = true;
    this.frame('detach', { handle: uint(l.handle), closed: true, ...(error ? { error: errorValue(error) } : {}) });
  }

  private forget(l: OutLink | InLink): void {
    if (l instanceof OutLink) {
      this.outLinks.delete(l);
      this.byName.delete(l.name);
    } else this.inLinks.delete(l);
    if (l.remoteHandle !== undefined) this.byRemote.delete(l.remoteHandle);
    this.freeHandles.push(l.handle);
  }

  /** Sends one pre-settled single-frame message; the caller checked `canSend`. */
  send(l: OutLink, format: number, payload: Buffer): void {
    const head = this.reserve(TRANSFER_HEAD_MAX + (payload.length <= SMALL_PAYLOAD ? payload.length : 0));
    const len = encodeTransferHead(this.slab, head, 0, l.handle, this.nextOutgoingId, format, payload.length);
    this.slabPos = head + len;
    if (payload.length <= SMALL_PAYLOAD) {
      payload.copy(this.slab, this.slabPos);
      this.slabPos += payload.length;
    } else {
      this.cut();
      this.out.push(payload);
    }
    this.nextOutgoingId = (this.nextOutgoingId + 1) >>> 0;
    this.remoteIncomingWindow--;
    l.deliveryCount = (l.deliveryCount + 1) >>> 0;
    l.credit--;
    this.schedule();
  }

  /** Whether `l` may send a transfer now (link credit and session window). */
  canSend(l: OutLink): boolean {
    if (l.credit > 0 && this.remoteIncomingWindow > 0) return this.state === 'open' && !l.closed;
    if (l.credit > 0 && this.remoteIncomingWindow <= 0 && !this.blocked.includes(l)) this.blocked.push(l);
    return false;
  }

  /** Grants credit up to the window unless the reader paused. */
  topUp(l: InLink): void {
    if (l.closed || l.paused || this.state !== 'open') return;
    if (l.granted > this.window >> 1) return;
    l.granted = this.window;
    this.sendFlow(l);
  }

  /** A flow frame: the session's window, and with `l` that link's credit. */
  private sendFlow(l?: InLink): void {
    this.frame('flow', {
      nextIncomingId: uint(this.nextIncomingId), incomingWindow: uint(this.options.incomingWindow),
      nextOutgoingId: uint(this.nextOutgoingId), outgoingWindow: uint(0xffffffff),
      ...(l ? { handle: uint(l.handle), deliveryCount: uint(l.deliveryCount), linkCredit: uint(l.granted) } : {}),
    });
    this.incomingSinceFlow = 0;
  }

  // ---------------------------------------------------------------------------------------
  // Output

  /** Space for `n` bytes in the slab at slabPos; returns the offset. */
  private reserve(n: number): number {
    if (this.slabPos + n > this.slab.length) {
      this.cut();
      this.slab = Buffer.allocUnsafe(Math.max(SLAB, n));
      this.slabPos = 0;
      this.regionStart = 0;
    }
    return this.slabPos;
  }

  /** Queues the slab bytes written since the last cut. */
  private cut(): void {
    if (this.slabPos > this.regionStart) this.out.push(this.slab.subarray(this.regionStart, this.slabPos));
    this.regionStart = this.slabPos;
  }

  private push(b: Buffer): void {
    this.cut();
    this.out.push(b);
    this.schedule();
  }

  private frame(name: Performative['name'], fields: Record<string, unknown>, channel = 0): void {
    if (this.state === 'closed') return;
    const w = this.writer.reset();
    encodeFrame(w, channel, name, fields);
    const at = this.reserve(w.pos);
    w.buf.copy(this.slab, at, 0, w.pos);
    this.slabPos = at + w.pos;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Everything queued this turn goes out in one corked write (writev). */
  flush(): void {
    this.flushScheduled = false;
    this.cut();
    if (this.out.length === 0 || this.socket.destroyed || this.socket.writableEnded) {
      this.out = [];
      return;
    }
    const out = this.out;
    this.out = [];
    if (out.length === 1) this.socket.write(out[0]!);
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
    // Slices of the slab may still be queued in Node: they are never written over (slabPos
    // only grows); a slab more than half used is left to them and a fresh one started.
    if (this.slabPos > SLAB / 2) {
      this.slab = Buffer.allocUnsafe(SLAB);
      this.slabPos = 0;
    }
    this.regionStart = this.slabPos;
    this.lastWrite = Date.now();
  }

  // ---------------------------------------------------------------------------------------
  // Input

  private onData(d: Buffer): void {
    this.lastRead = Date.now();
    try {
      this.reader.push(d);
    } catch (e) {
      this.fail(e instanceof CodecError ? { condition: 'amqp:decode-error', description: e.message } : { condition: 'amqp:internal-error', description: (e as Error).message });
    }
  }

  private onHeader(b: Buffer): void {
    if (!b.equals(PROTOCOL_HEADER)) throw new CodecError(`not an AMQP 1.0 protocol header: ${b.toString('hex')}`);
    if (this.state === 'header') this.state = 'open';
  }

  private onFrame(buf: Buffer, start: number, end: number): void {
    const doff = buf[start + 4]! * 4;
    if (end - start === doff) return; // heartbeat
    const perf = decodePerformative(new Reader(buf, start + doff, end));
    const f = perf.fields;
    switch (perf.name) {
      case 'open': return this.onOpen(f);
      case 'begin':
        this.peerBegun = true;
        this.remoteIncomingWindow = Number(f['incomingWindow'] ?? 0);
        this.nextIncomingId = Number(f['nextOutgoingId'] ?? 0);
        return this.checkReady();
      case 'attach': return this.onAttach(f);
      case 'flow': return this.onFlow(f);
      case 'detach': return this.onDetach(f);
      case 'disposition': return; // everything is pre-settled
      case 'end':
      case 'close':
        this.error = readError(f['error']);
        if (perf.name === 'close' && this.state !== 'closing') this.frame('close', {});
        this.state = 'closing';
        this.flush();
        this.socket.end();
        return this.gone(this.error);
      case 'transfer': throw new CodecError('transfer with a non-canonical descriptor');
    }
  }

  private onOpen(f: Record<string, unknown>): void {
    this.peerOpened = true;
    const peerMax = Number(f['maxFrameSize'] ?? 0xffffffff);
    this.frameSize = Math.max(MIN_MAX_FRAME_SIZE, Math.min(this.options.maxFrameSize, peerMax, 1 << 20));
    this.window = Math.max(8, Math.ceil(WINDOW_BYTES / this.maxPayload));
    this.remoteIdleMs = Number(f['idleTimeOut'] ?? 0);
    const props = f['properties'];
    this.remoteProperties = props instanceof Map ? Object.fromEntries(props) : {};
    const refused = this.hooks.open(this.remoteProperties);
    if (refused) return this.close(refused);
    this.startHeartbeat();
    this.checkReady();
  }

  private checkReady(): void {
    if (this.isReady || !this.peerOpened || !this.peerBegun || this.state !== 'open') return;
    this.isReady = true;
    for (let i = this.idle.length; i < POOL_MIN_IDLE; i++) this.idle.push(this.attachSender());
    this.idleLow = this.idle.length;
    this.scrubber = setInterval(() => this.scrub(), POOL_SCRUB_MS);
    this.scrubber.unref();
    this.hooks.ready();
  }

  private onAttach(f: Record<string, unknown>): void {
    const name = String(f['name']);
    const remoteHandle = Number(f['handle']);
    if (f['role'] === true) {
      // The peer's receiver answering one of our sender links.
      const l = this.byName.get(name);
      if (!l) return;
      l.remoteHandle = remoteHandle;
      this.byRemote.set(remoteHandle, l);
      return;
    }
    // The peer attached a sender: answer with a receiver and grant the window.
    const l = new InLink(this.allocHandle(), remoteHandle, name);
    this.inLinks.add(l);
    this.byRemote.set(remoteHandle, l);
    this.frame('attach', {
      name, handle: uint(l.handle), role: true, sndSettleMode: ubyte(1), rcvSettleMode: ubyte(0),
      target: described(TARGET_CODE, [FLOW_TARGET]),
    });
    l.granted = this.window;
    this.sendFlow(l);
  }

  private onFlow(f: Record<string, unknown>): void {
    const nextIncoming = f['nextIncomingId'] === undefined ? 0 : Number(f['nextIncomingId']);
    this.remoteIncomingWindow = ((nextIncoming + Number(f['incomingWindow'] ?? 0) - this.nextOutgoingId) | 0);
    if (f['handle'] !== undefined) {
      const l = this.byRemote.get(Number(f['handle']));
      if (l instanceof OutLink) {
        l.credit = (Number(f['deliveryCount'] ?? 0) + Number(f['linkCredit'] ?? 0) - l.deliveryCount) | 0;
        if (l.credit > 0) l.onCredit?.();
      }
    }
    if (this.remoteIncomingWindow > 0 && this.blocked.length) {
      for (const l of this.blocked.splice(0)) l.onCredit?.();
    }
  }

  private onDetach(f: Record<string, unknown>): void {
    const l = this.byRemote.get(Number(f['handle']));
    if (!l) return;
    const wasClosed = l.closed;
    this.detach(l);
    this.forget(l);
    if (l instanceof OutLink) {
      const i = this.idle.indexOf(l);
      if (i >= 0) this.idle.splice(i, 1);
      l.onCredit?.();
    } else if (l.sink && !wasClosed) {
      const err = readError(f['error']);
      l.sink.delivery(FORMAT_ABORT, Buffer.from(err?.description ?? 'link detached'));
    }
  }

  private onTransferPayload(handle: number, format: number, payload: Buffer | Buffer[]): void {
    this.nextIncomingId = (this.nextIncomingId + 1) >>> 0;
    if (++this.incomingSinceFlow >= this.options.incomingWindow >> 1) this.sendFlow();
    const l = this.byRemote.get(handle);
    if (!(l instanceof InLink) || l.closed) return;
    l.deliveryCount = (l.deliveryCount + 1) >>> 0;
    l.granted--;
    if (Array.isArray(payload)) {
      if (format === FORMAT_DATA && l.sink) {
        for (const p of payload) if (l.sink) l.sink.delivery(format, p);
        return this.topUp(l);
      }
      payload = Buffer.concat(payload);
    }
    if (l.sink) l.sink.delivery(format, payload);
    else this.hooks.unowned(l, format, payload);
    this.topUp(l);
  }

  // ---------------------------------------------------------------------------------------
  // Liveness and closing

  private startHeartbeat(): void {
    const every = Math.min(this.remoteIdleMs ? this.remoteIdleMs / 2 : Infinity, this.options.idleTimeoutMs ? this.options.idleTimeoutMs / 2 : Infinity);
    if (!Number.isFinite(every)) return;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (this.options.idleTimeoutMs && now - this.lastRead > 2 * this.options.idleTimeoutMs) {
        return this.fail({ condition: 'amqp:resource-limit-exceeded', description: `no frame from the peer for ${now - this.lastRead} ms` });
      }
      if (this.remoteIdleMs && now - this.lastWrite >= this.remoteIdleMs / 2) this.push(Buffer.from([0, 0, 0, 8, 2, 0, 0, 0]));
    }, Math.max(50, every));
    this.heartbeat.unref();
  }

  /** Closes with `error` (sent to the peer), then ends the socket. */
  close(error?: AmqpError): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.error = error;
    this.state = 'closing';
    this.frame('close', error ? { error: errorValue(error) } : {});
    this.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.gone(error);
  }

  private fail(error: AmqpError): void {
    this.close(error);
    this.socket.destroy();
  }

  private gone(error: AmqpError | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.error ??= error;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.scrubber) clearInterval(this.scrubber);
    for (const l of this.outLinks) {
      l.closed = true;
      l.onCredit?.();
    }
    for (const l of this.inLinks) {
      l.closed = true;
      l.sink?.delivery(FORMAT_ABORT, Buffer.from(`data connection lost${error?.description ? `: ${error.description}` : ''}`));
    }
    this.idle.length = 0;
    this.hooks.closed(this.error);
  }
}

