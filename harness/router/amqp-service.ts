/**
 * AMQP clients on `normal` listeners: a receiver attached to an address gets messages sent
 * to that address by clients anywhere in the router network. Anycast picks one consumer
 * (closest: cheapest routers only; balanced: round-robin over all); multicast copies to all.
 * Messages to `$management` go to this router's management agent; a receiver asking for a
 * dynamic source gets a reply address of this router's (as skrouterd's `temp.` addresses).
 */
import type { Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, EventContext, Message, Sender } from 'rhea';
import { randomBytes } from 'node:crypto';
import { distributionFor } from './address-config.ts';
import { removeNamed } from './config.ts';
import type { ListenerEntity } from './config-schema.ts';
import type { BoundServer } from './listen.ts';
import { isManagementAddress } from './management/agent.ts';
import type { Router } from './router.ts';

export class AmqpService {
  readonly servers: { listener: ListenerEntity; bound: BoundServer }[] = [];
  private readonly consumers = new Map<string, Sender[]>();
  /** Reply addresses of dynamic receivers: local to this router, never announced. */
  private readonly dynamic = new Map<string, Sender>();
  private readonly conns = new Set<Connection>();
  private readonly rr = new Map<string, number>();
  readonly stats = { delivered: 0, routed: 0, noRoute: 0, clients: 0 };

  constructor(private readonly r: Router) {}

  async start(): Promise<void> {
    this.servers.push(...(await this.r.openListeners((l) => l.role === 'normal', (s, l) => this.accept(s, l))));
  }

  /** Opens a normal listener at run time (management CREATE). */
  async addListener(l: ListenerEntity): Promise<void> {
    this.r.config.listeners.push(l);
    this.servers.push(...(await this.r.openListeners((x) => x === l, (s, x) => this.accept(s, x))));
  }

  /** Closes a normal listener (management DELETE); its clients stay connected. */
  removeListener(name: string): void {
    removeNamed(this.r.config.listeners, name);
    const i = this.servers.findIndex((s) => s.listener.name === name);
    if (i >= 0) this.servers.splice(i, 1)[0]!.bound.server.close();
  }

  addresses(): string[] {
    return [...this.consumers.keys()].sort();
  }

  private accept(socket: Socket, l: ListenerEntity): void {
    socket.setNoDelay(true); // request/response traffic (management): no Nagle stalls
    const conn = this.r.container.create_connection({
      container_id: this.r.id,
      properties: { product: 'knetsim-router', 'knetsim:router-id': this.r.id },
      receiver_options: { credit_window: 100, autoaccept: false },
      max_frame_size: l.maxFrameSize ?? 65536,
    } as never);
    this.conns.add(conn);
    this.stats.clients++;
    const untrack = this.r.connections.track(conn, 'normal', 'in', `${socket.remoteAddress}:${socket.remotePort}`);
    const senders = new Set<Sender>();
    const dynamicOf = new Map<Sender, string>();
    conn.on('sender_open', (ctx: EventContext) => {
      const s = ctx.sender!;
      const source = s.source as { address?: string; dynamic?: boolean } | undefined;
      if (source?.dynamic) {
        const address = `amqp:/_topo/0/${this.r.id}/temp.${randomBytes(8).toString('base64url')}`;
        s.set_source({ address, dynamic: true });
        dynamicOf.set(s, address);
        this.dynamic.set(address, s);
        return;
      }
      const address = source?.address;
      if (!address) return void s.close({ condition: 'amqp:invalid-field', description: 'a receiver needs a source address or a dynamic source' });
      // Answer the attach with the client's source (Proton clients check that it matches).
      s.set_source({ address });
      senders.add(s);
      this.addConsumer(address, s);
    });
    const dropSender = (s: Sender) => {
      const d = dynamicOf.get(s);
      if (d !== undefined) {
        dynamicOf.delete(s);
        this.dynamic.delete(d);
      }
      if (senders.delete(s)) this.removeConsumer(s.source?.address ?? '', s);
    };
    conn.on('sender_close', (ctx: EventContext) => dropSender(ctx.sender!));
    conn.on('receiver_open', (ctx: EventContext) => {
      const target = ctx.receiver!.target as { address?: string } | undefined;
      if (target?.address) ctx.receiver!.set_target({ address: target.address });
    });
    conn.on('message', (ctx: EventContext) => {
      const m = ctx.message!;
      const address = ctx.receiver!.target?.address ?? m.to;
      if (typeof address === 'string' && isManagementAddress(address, this.r.id)) {
        ctx.delivery!.accept();
        void this.r.management.handle(m).then((response) => {
          if (response && !this.route(response.to, response as unknown as Message)) {
            this.r.log.warn('AGENT', 'no-route-for-response', { replyTo: response.to });
          }
        });
        return;
      }
      const ok = typeof address === 'string' && this.route(address, m);
      if (ok) ctx.delivery!.accept();
      else ctx.delivery!.reject({ condition: 'qd:no-route-to-dest', description: `no consumer for ${String(address)}` });
    });
    const gone = () => {
      if (!this.conns.delete(conn)) return;
      untrack();
      this.stats.clients--;
      for (const s of [...senders, ...dynamicOf.keys()]) dropSender(s);
    };
    conn.on('disconnected', gone);
    conn.on('connection_close', () => {
      gone();
      if (!conn.is_closed()) conn.close();
    });
    for (const ev of ['connection_error', 'sender_error', 'receiver_error', 'session_error', 'receiver_close', 'session_close', 'settled', 'accepted', 'released', 'rejected', 'modified', 'sendable', 'connection_open']) {
      conn.on(ev, () => {});
    }
    conn.accept(socket as never);
  }

  private addConsumer(address: string, s: Sender): void {
    const list = this.consumers.get(address) ?? [];
    list.push(s);
    this.consumers.set(address, list);
    if (list.length === 1) this.r.topologyChanged();
  }

  private removeConsumer(address: string, s: Sender): void {
    const list = (this.consumers.get(address) ?? []).filter((x) => x !== s);
    if (list.length) this.consumers.set(address, list);
    else if (this.consumers.delete(address)) this.r.topologyChanged();
  }

  private next(key: string, n: number): number {
    const i = (this.rr.get(key) ?? 0) % n;
    this.rr.set(key, i + 1);
    return i;
  }

  private deliverLocal(address: string, m: Message, all: boolean): boolean {
    const list = this.consumers.get(address) ?? [];
    if (list.length === 0) return false;
    const targets = all ? list : [list[this.next(`local:${address}`, list.length)]!];
    for (const s of targets) s.send(m);
    this.stats.delivered += targets.length;
    return true;
  }

  /** Routes a client message; false when no consumer is reachable. */
  route(address: string, m: Message): boolean {
    const reply = this.dynamic.get(address);
    if (reply) {
      reply.send(m);
      this.stats.delivered++;
      return true;
    }
    const dests = this.r.destinations(address, 'amqp');
    if (dests.length === 0) {
      this.stats.noRoute++;
      return false;
    }
    const dist = distributionFor(address, this.r.config.addresses);
    const chosen = dist === 'multicast' ? dests : (() => {
      const pool = dist === 'closest' ? dests.filter((d) => d.cost === dests[0]!.cost) : dests;
      return [pool[this.next(address, pool.length)]!];
    })();
    let ok = false;
    for (const d of chosen) {
      if (d.router === this.r.id) ok = this.deliverLocal(address, m, dist === 'multicast') || ok;
      else {
        ok = this.r.inter.forwardMessage(d.nextHop, d.router, address, rhea.message.encode(m)) || ok;
        this.stats.routed++;
      }
    }
    return ok;
  }

  /** A client message routed by a neighbour: deliver here or pass it on. */
  onRoutedMessage(dst: string, address: string, encoded: Buffer): void {
    if (dst === this.r.id) {
      const m = rhea.message.decode(encoded) as unknown as Message;
      this.deliverLocal(address, m, distributionFor(address, this.r.config.addresses) === 'multicast');
      return;
    }
    const hop = this.r.routes.get(dst);
    if (hop) this.r.inter.forwardMessage(hop.nextHop, dst, address, encoded);
  }

  async close(): Promise<void> {
    for (const c of this.conns) {
      try {
        c.close();
      } catch {
        // gone
      }
    }
    await Promise.all(this.servers.map((s) => s.bound.close()));
  }
}
