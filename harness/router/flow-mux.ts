/**
 * Flows on one data connection. Opening a flow takes a pooled sender link and sends
 * FORMAT_BEGIN {n, id, address, dst}; the peer answers on a sender link of its own with
 * FORMAT_BEGIN {re: n}, which binds the reverse direction. A BEGIN with no `re` is a new
 * flow from the peer.
 */
import { FORMAT_BEGIN, type DataConnection, type InLink } from './data-connection.ts';
import { LinkEnd } from './flow-ends.ts';

export interface FlowMeta {
  /** Flow id, for logs: `<ingress router>.<incarnation>.<n>`. */
  id: string;
  address: string;
  /** The router whose tcpConnector serves the flow. */
  dst: string;
}

export type InboundFlow = (end: LinkEnd, meta: FlowMeta) => void;

export class FlowMux {
  private nextN = 0;
  /** Flows we opened whose reverse direction has not been announced yet. */
  private readonly awaiting = new Map<number, LinkEnd>();

  constructor(readonly conn: DataConnection, private readonly onInbound: InboundFlow) {
    conn.hooks.unowned = (l, format, payload) => this.unowned(l, format, payload);
  }

  /** Opens a flow to the peer: the returned end is ready to be joined (undefined: its BEGIN does not fit a frame). */
  open(meta: FlowMeta): LinkEnd | undefined {
    const n = ++this.nextN;
    const begin = Buffer.from(JSON.stringify({ n, ...meta }));
    if (begin.length > this.conn.maxPayload) return undefined;
    const end = new LinkEnd(this.conn, this.conn.takeSender(), begin, false);
    this.awaiting.set(n, end);
    end.onAbort = () => this.awaiting.delete(n);
    return end;
  }

  private unowned(l: InLink, format: number, payload: Buffer): void {
    // Anything but BEGIN on a link without a flow is the tail of an aborted one: dropped.
    if (format !== FORMAT_BEGIN) return;
    let m: { n?: number; re?: number; id?: string; address?: string; dst?: string };
    try {
      m = JSON.parse(payload.toString()) as typeof m;
    } catch {
      return this.conn.close({ condition: 'amqp:decode-error', description: 'flow BEGIN is not JSON' });
    }
    if (m.re !== undefined) {
      const end = this.awaiting.get(m.re);
      if (!end) return; // that flow was aborted meanwhile; its tail is dropped
      this.awaiting.delete(m.re);
      end.onAbort = undefined;
      end.bindIn(l);
      return;
    }
    const end = new LinkEnd(this.conn, this.conn.takeSender(), Buffer.from(JSON.stringify({ re: m.n })), true);
    end.bindIn(l);
    this.onInbound(end, { id: String(m.id), address: String(m.address), dst: String(m.dst) });
  }
}
