/**
 * The two ends a flow has on each router, joined back to back: a TCP socket (SocketEnd) or
 * one hop over a data connection (LinkEnd). Bytes read at one end are written at the other;
 * when the writing end is full the reading end pauses (a socket stops reading, a link stops
 * granting credit) until it drains. End (FIN) crosses one direction at a time, so half-close
 * works; an abort (reset, error, lost connection) at either end aborts the other.
 */
import type { Socket } from 'node:net';
import { FORMAT_ABORT, FORMAT_BEGIN, FORMAT_DATA, FORMAT_END, type DataConnection, type InboundSink, type InLink, type OutLink } from './data-connection.ts';

/** Queued bytes above which a link end asks its peer end to pause (resumed below a quarter: few pause/resume cycles). */
export const LINK_HIGH_WATER = 512 * 1024;
/** Write buffer of flow sockets (Node's default, 16 KiB, would pause the other end for every 64 KiB read). */
export const SOCKET_HIGH_WATER = 256 * 1024;

export abstract class FlowEnd {
  peer!: FlowEnd;
  aborted = false;
  private finished = false;
  onFinish: (() => void) | undefined;

  /** Bytes from outside: on to the other end; pause while it is full. */
  protected received(b: Buffer): void {
    if (!this.peer.write(b)) this.pause();
  }

  protected receivedEnd(): void {
    this.peer.end();
  }

  /** This end broke: abort it and the other one. */
  protected failed(reason: string): void {
    if (this.aborted) return;
    this.abort(reason);
    this.peer?.abort(reason); // (an end not joined yet has no peer)
  }

  protected finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish?.();
  }

  /** Writes towards the outside; false when full (the peer end should pause until `resume`). */
  abstract write(b: Buffer): boolean;
  abstract end(): void;
  abstract pause(): void;
  abstract resume(): void;
  abstract abort(reason: string): void;
  abstract buffered(): number;
}

/** Joins two ends; `done` runs once both have finished. */
export function join(a: FlowEnd, b: FlowEnd, done: () => void): void {
  a.peer = b;
  b.peer = a;
  let left = 2;
  a.onFinish = b.onFinish = () => {
    if (--left === 0) done();
  };
}

export class SocketEnd extends FlowEnd {
  private readEnded = false;
  private writeEnded = false;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(readonly socket: Socket) {
    super();
    socket.on('data', (b: Buffer) => this.received(b));
    socket.on('end', () => {
      this.readEnded = true;
      this.receivedEnd();
    });
    socket.on('drain', () => this.peer.resume());
    socket.on('error', (e) => this.failed(e.message));
    socket.on('close', () => {
      if (!(this.readEnded && this.writeEnded)) this.failed('connection closed');
      this.finish();
    });
  }

  /** Writes made in one turn of the event loop (the frames of every read from a data connection) go out in one writev. */
  write(b: Buffer): boolean {
    if (this.socket.destroyed || this.writeEnded) return true;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    return this.socket.write(b);
  }

  end(): void {
    if (this.writeEnded) return;
    this.writeEnded = true;
    if (!this.socket.destroyed) this.socket.end();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.socket.destroy();
  }

  buffered(): number {
    return this.socket.writableLength + this.socket.readableLength;
  }
}

type Item = { format: number; payload: Buffer };
const EMPTY = Buffer.alloc(0);

/**
 * One hop of a flow over a data connection: `out` (a pooled sender link) carries our
 * direction, `in` (the peer's sender, bound when its BEGIN arrives) the other.
 */
export class LinkEnd extends FlowEnd implements InboundSink {
  private queue: Item[] = [];
  private queued = 0;
  private full = false;
  private beginSent = false;
  private outDone = false;
  private inDone = false;
  private wantPaused = false;
  private in: InLink | undefined;
  /** Called when the flow aborts (the mux forgets a flow still waiting for its peer). */
  onAbort: (() => void) | undefined;

  /**
   * `begin` is our first message on `out`. `mustAnnounce`: the peer is waiting for it (we
   * answer its flow), so even an abort sends BEGIN first.
   */
  constructor(readonly conn: DataConnection, readonly out: OutLink, begin: Buffer, private readonly mustAnnounce: boolean) {
    super();
    out.onCredit = () => this.flush();
    this.queue.push({ format: FORMAT_BEGIN, payload: begin });
    this.flush();
  }

  /** The peer's link for the other direction. */
  bindIn(l: InLink): void {
    this.in = l;
    l.sink = this;
    l.paused = this.wantPaused;
    if (this.inDone) this.unbindIn();
  }

  private unbindIn(): void {
    const l = this.in;
    this.inDone = true;
    if (!l) return;
    this.in = undefined;
    l.sink = undefined;
    l.paused = false;
    this.conn.topUp(l);
  }

  delivery(format: number, payload: Buffer): void {
    switch (format) {
      case FORMAT_DATA:
        if (!this.aborted) this.received(payload);
        return;
      case FORMAT_END:
        this.unbindIn();
        this.receivedEnd();
        return this.checkDone();
      case FORMAT_ABORT:
        this.unbindIn();
        this.failed(payload.length ? payload.toString() : 'aborted by peer');
        return this.checkDone();
      default:
        this.unbindIn();
        this.failed(`unexpected message format 0x${format.toString(16)}`);
        return this.checkDone();
    }
  }

  write(b: Buffer): boolean {
    if (this.outDone || this.aborted) return true;
    const max = this.conn.maxPayload;
    for (let off = 0; off < b.length; ) {
      const part = off === 0 && b.length <= max ? b : b.subarray(off, off + max);
      off += part.length;
      if (this.queue.length === 0 && this.conn.canSend(this.out)) this.conn.send(this.out, FORMAT_DATA, part);
      else {
        this.queue.push({ format: FORMAT_DATA, payload: part });
        this.queued += part.length;
      }
    }
    if (this.queued >= LINK_HIGH_WATER) this.full = true;
    return !this.full;
  }

  end(): void {
    if (this.outDone || this.aborted) return;
    this.queue.push({ format: FORMAT_END, payload: EMPTY });
    this.flush();
  }

  pause(): void {
    this.wantPaused = true;
    if (this.in) this.in.paused = true;
  }

  resume(): void {
    this.wantPaused = false;
    if (!this.in) return;
    this.in.paused = false;
    this.conn.topUp(this.in);
  }

  /** Sends what the peer's credit allows; an END or ABORT frees the link for another flow. */
  private flush(): void {
    if (this.outDone) return;
    if (this.out.closed) {
      this.outDone = true;
      this.failed('data link closed');
      return this.checkDone();
    }
    while (this.queue.length && this.conn.canSend(this.out)) {
      const item = this.queue.shift()!;
      this.conn.send(this.out, item.format, item.payload);
      if (item.format === FORMAT_DATA) this.queued -= item.payload.length;
      else if (item.format === FORMAT_BEGIN) this.beginSent = true;
      else {
        this.outDone = true;
        this.conn.releaseSender(this.out);
        return this.checkDone();
      }
    }
    if (this.full && this.queued < LINK_HIGH_WATER / 4) {
      this.full = false;
      this.peer?.resume();
    }
  }

  abort(reason: string): void {
    if (this.aborted) return;
    this.aborted = true;
    this.onAbort?.();
    if (this.in) this.unbindIn();
    else this.inDone = true;
    if (!this.outDone) {
      this.queued = 0;
      if (!this.beginSent && !this.mustAnnounce) {
        // The peer never heard of this flow: the link goes straight back to the pool.
        this.queue = [];
        this.outDone = true;
        this.conn.releaseSender(this.out);
      } else if (this.beginSent && !this.conn.canSend(this.out)) {
        // No credit for an ABORT message: detaching the link aborts without it.
        this.queue = [];
        this.outDone = true;
        this.out.onCredit = undefined;
        this.conn.abortSender(this.out, reason);
      } else {
        this.queue = this.queue.filter((i) => i.format === FORMAT_BEGIN);
        this.queue.push({ format: FORMAT_ABORT, payload: Buffer.from(reason.slice(0, 200)) });
        this.flush();
      }
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.outDone && this.inDone) this.finish();
  }

  buffered(): number {
    return this.queued;
  }
}
