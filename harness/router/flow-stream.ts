/**
 * One hop of a TCP flow as a Node Duplex over an AMQP link pair: bytes written go out as
 * pre-settled messages on `sender` only while the peer has granted credit; bytes arrive on
 * `receiver`, whose credit is topped up only when our reader asks for more (`_read`). So a
 * slow reader stops the sender hop by hop and each hop buffers at most
 * `window` messages plus the stream high-water marks.
 *
 * Wire format: transfers with our own message-format codes, so rhea neither encodes nor
 * decodes them: FORMAT_DATA carries raw bytes, FORMAT_END (empty) is the half-close (FIN);
 * a detach with an error is an abort (RST).
 */
import { Duplex } from 'node:stream';
import type { EventContext, Receiver, Sender } from 'rhea';

/** Credit a receiver grants per flow and direction: at most FLOW_WINDOW × FLOW_CHUNK bytes in flight. */
export const FLOW_WINDOW = 16;
/** Largest message body (fits one 64 KiB frame; rhea splits it when the peer's frames are smaller). */
export const FLOW_CHUNK = 65536 - 512;
/** AMQP message-format codes (non-zero: not an AMQP message section, passed through raw). */
export const FORMAT_DATA = 0x4b4e5401;
export const FORMAT_END = 0x4b4e5402;

/** rhea fields the typings leave out; credit is only decremented when a transfer is written. */
interface RheaSenderInternals {
  credit: number;
  delivery_count: number;
  session: { outgoing: { available(): number } };
}

type Pending = { chunk?: Buffer; cb: (err?: Error | null) => void };

/**
 * Closes a link so that rhea forgets it once both ends have detached. rhea removes a link
 * from its session only on its own schedule: when the peer detaches first, it closes and
 * removes the link on the next tick, unless the application closes it in between, which
 * cancels the removal and leaves the link in the session's maps for good. So a link the
 * peer has already detached is left to rhea; any other is closed (with `error`, if any), and
 * rhea removes it when the peer's detach comes back.
 */
export function releaseLink(l: Sender | Receiver, error?: { condition: string; description: string }): void {
  const remote = (l as unknown as { remote: { detach?: unknown } }).remote;
  if (remote.detach !== undefined || l.is_closed()) return;
  try {
    l.close(error);
  } catch {
    // connection already gone
  }
}

export class AmqpFlowStream extends Duplex {
  private pending: Pending[] = [];
  private sent = 0;
  private gotEnd = false;
  private sentEnd = false;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly flowId: string,
    private readonly sender: Sender,
    private readonly receiver: Receiver,
    private readonly window = FLOW_WINDOW,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: FLOW_CHUNK, writableHighWaterMark: FLOW_CHUNK });
    receiver.on('message', (ctx: EventContext) => this.onMessage(ctx));
    sender.on('sendable', () => this.flush());
    sender.on('sender_open', () => this.flush());
    sender.on('sender_close', (ctx: EventContext) => this.onRemoteClose(ctx, !this.sentEnd));
    receiver.on('receiver_close', (ctx: EventContext) => this.onRemoteClose(ctx, !this.gotEnd));
    for (const l of [sender, receiver] as const) {
      l.on(l === sender ? 'sender_error' : 'receiver_error', () => {}); // reported via *_close
    }
  }

  /** Bytes held by this hop: stream buffers plus writes waiting for credit. */
  buffered(): number {
    const queued = this.pending.reduce((n, p) => n + (p.chunk?.length ?? 0), 0);
    return this.readableLength + this.writableLength + queued;
  }

  private onMessage(ctx: EventContext): void {
    // Settle locally so rhea frees the delivery; unsettled ones shrink the session window to 0.
    ctx.delivery?.update(true);
    if (this.destroyed) return;
    const format = (ctx as EventContext & { format?: number }).format;
    if (format === FORMAT_END) {
      this.gotEnd = true;
      this.push(null);
    } else if (format === FORMAT_DATA && Buffer.isBuffer(ctx.message)) {
      const buf = ctx.message as unknown as Buffer;
      this.bytesIn += buf.length;
      this.push(buf);
    } else {
      this.destroy(new Error(`flow ${this.flowId}: unexpected message format ${String(format ?? 0)}`));
    }
  }

  private onRemoteClose(ctx: EventContext, premature: boolean): void {
    const err = (ctx.sender ?? ctx.receiver)?.error as { description?: string; condition?: string } | undefined;
    if (err || premature) {
      this.destroy(new Error(`flow ${this.flowId} aborted by peer: ${err?.description ?? err?.condition ?? 'link closed early'}`));
    }
  }

  override _read(): void {
    const want = this.window - (this.receiver as unknown as { credit: number }).credit;
    if (want > 0 && !this.receiver.is_closed()) this.receiver.add_credit(want);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.pending.push({ chunk, cb });
    this.flush();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.pending.push({ cb });
    this.flush();
  }

  private canSend(): boolean {
    const s = this.sender as unknown as RheaSenderInternals;
    const unsent = this.sent - s.delivery_count;
    return this.sender.is_open() && s.credit - unsent > 0 && s.session.outgoing.available() > 0;
  }

  /** Sends queued bytes, one message per credit, never more than the peer granted. */
  private flush(): void {
    while (this.pending.length && this.canSend()) {
      const p = this.pending[0]!;
      if (p.chunk) {
        const part = p.chunk.subarray(0, FLOW_CHUNK);
        this.sender.send(part, undefined, FORMAT_DATA);
        this.sent++;
        this.bytesOut += part.length;
        if (p.chunk.length > FLOW_CHUNK) {
          p.chunk = p.chunk.subarray(FLOW_CHUNK);
          continue;
        }
      } else {
        this.sender.send(Buffer.alloc(0), undefined, FORMAT_END);
        this.sent++;
        this.sentEnd = true;
      }
      this.pending.shift();
      p.cb();
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const failed = err !== null || !(this.gotEnd && this.sentEnd);
    this.pending = [];
    const condition = failed ? { condition: 'amqp:link:detach-forced', description: err?.message ?? 'flow aborted' } : undefined;
    for (const l of [this.sender, this.receiver]) releaseLink(l, condition);
    cb(err);
  }
}
