/**
 * The AMQP links of TCP flows on inter-router connections. A flow hop is a link pair named
 * `flow/<id>/f` (upstream → downstream bytes) and `flow/<id>/r` (the reverse), both opened
 * by the upstream router with properties {flow, address, dst}; the downstream router pairs
 * them into one AmqpFlowStream and hands it on.
 */
import type { Receiver, Sender } from 'rhea';
import { AmqpFlowStream } from './flow-stream.ts';
import type { Neighbor } from './inter-router.ts';

export type PendingFlows = Map<string, { sender?: Sender; receiver?: Receiver }>;
export type InboundFlow = (stream: AmqpFlowStream, address: string, dst: string, from: string) => void;

export class FlowLinks {
  /** Links this router opened; their attach replies must not look like a peer's new link. */
  private readonly mine = new WeakSet<Sender | Receiver>();

  constructor(private readonly onInbound: InboundFlow) {}

  markMine(...links: (Sender | Receiver)[]): void {
    for (const l of links) this.mine.add(l);
  }

  isMine(link: Sender | Receiver): boolean {
    return this.mine.has(link);
  }

  /** A peer attached one link of a flow pair; once both are here, the hop is ready. */
  onPeerLink(n: Neighbor, pending: PendingFlows, link: Sender | Receiver, kind: 'sender' | 'receiver'): void {
    const flowId = link.name.slice('flow/'.length, -2);
    const entry = pending.get(flowId) ?? {};
    link.once(kind === 'receiver' ? 'receiver_close' : 'sender_close', () => {
      if (pending.get(flowId) === entry) pending.delete(flowId);
    });
    if (kind === 'receiver') entry.receiver = link as Receiver;
    else entry.sender = link as Sender;
    pending.set(flowId, entry);
    if (!entry.sender || !entry.receiver) return;
    pending.delete(flowId);
    const props = (entry.receiver.properties ?? {}) as Record<string, unknown>;
    const stream = this.track(n, new AmqpFlowStream(flowId, entry.sender, entry.receiver));
    this.onInbound(stream, String(props['address']), String(props['dst']), n.id);
  }

  /** Opens the next hop of a flow to neighbour `n`. */
  open(n: Neighbor, flowId: string, address: string, dst: string): AmqpFlowStream {
    const properties = { flow: flowId, address, dst };
    const sender = n.conn.open_sender({ name: `flow/${flowId}/f`, target: { address }, snd_settle_mode: 1, properties });
    const receiver = n.conn.open_receiver({ name: `flow/${flowId}/r`, source: { address }, credit_window: 0, autoaccept: false, properties });
    this.markMine(sender, receiver);
    return this.track(n, new AmqpFlowStream(flowId, sender, receiver));
  }

  /** Flows on a neighbour die with its connection (rhea raises no link events then). */
  private track(n: Neighbor, s: AmqpFlowStream): AmqpFlowStream {
    n.flows.add(s);
    s.once('close', () => n.flows.delete(s));
    return s;
  }
}
