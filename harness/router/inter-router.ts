/**
 * Inter-router (and edge) links: AMQP 1.0 connections from connectors and on inter-router
 * listeners. Per link: a control link carrying link-state records, a message link carrying
 * routed client messages, and one link pair per TCP flow crossing it.
 */
import { isIP, type Socket } from 'node:net';
import type { Connection, EventContext, Message, Receiver, Sender } from 'rhea';
import type { ConnectorEntity, ListenerEntity } from './config-schema.ts';
import { FlowLinks, type PendingFlows } from './flow-links.ts';
import type { AmqpFlowStream } from './flow-stream.ts';
import type { RouterRecord } from './link-state.ts';
import type { BoundServer } from './listen.ts';
import type { Router } from './router.ts';
import { loadSslProfile } from './tls.ts';

export const CTL_ADDRESS = '_knetsim/ctl';
export const MSG_ADDRESS = '_knetsim/msg';
const P = { id: 'knetsim:router-id', mode: 'knetsim:mode', role: 'knetsim:role', cost: 'knetsim:cost' } as const;
export const RECONNECT_MIN_MS = 100;
export const DEFAULT_HELLO_MAX_AGE_S = 4;
export const RECONNECT_MAX_MS = 2000;

export type LinkRole = 'inter-router' | 'edge';

export interface Neighbor {
  id: string;
  role: LinkRole;
  cost: number;
  direction: 'in' | 'out';
  via: string;
  conn: Connection;
  ctl: Sender;
  msg: Sender;
  flows: Set<AmqpFlowStream>;
  since: number;
}

export interface ConnectorState {
  name: string;
  host: string;
  port: number;
  role: LinkRole;
  state: 'connecting' | 'up' | 'backoff' | 'stopped';
  peer?: string;
  attempts: number;
  lastError?: string;
}

interface ConnMeta {
  role: LinkRole;
  direction: 'in' | 'out';
  via: string;
  cost?: number;
  neighbor?: Neighbor;
  pendingFlows: PendingFlows;
}

export class InterRouter {
  readonly neighbors = new Map<string, Neighbor>();
  readonly connectors: ConnectorState[] = [];
  readonly servers: { listener: ListenerEntity; bound: BoundServer }[] = [];
  private readonly conns = new Set<Connection>();
  private readonly flowLinks: FlowLinks;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(private readonly r: Router) {
    this.flowLinks = new FlowLinks((stream, address, dst, from) => r.tcp.onInboundFlow(stream, address, dst, from));
  }

  async start(): Promise<void> {
    this.servers.push(...(await this.r.openListeners((l) => l.role !== 'normal', (s, l) => this.accept(s, l))));
    for (const c of this.r.config.connectors) {
      const st: ConnectorState = { name: c.name, host: c.host, port: c.port, role: c.role as LinkRole, state: 'connecting', attempts: 0 };
      this.connectors.push(st);
      this.dial(c, st);
    }
  }

  private baseOptions(role: LinkRole, cost: number, frame?: number, sessionFrames?: number) {
    return {
      container_id: this.r.id,
      properties: { [P.id]: this.r.id, [P.mode]: this.r.mode, [P.role]: role, [P.cost]: cost, product: 'knetsim-router' },
      receiver_options: { credit_window: 0, autoaccept: false },
      sender_options: { snd_settle_mode: 1 },
      // rhea declares a peer dead after 2 × idle_time_out of silence: helloMaxAgeSeconds.
      idle_time_out: (this.r.config.router.helloMaxAgeSeconds ?? DEFAULT_HELLO_MAX_AGE_S) * 500,
      tcp_no_delay: true,
      max_frame_size: frame ?? 65536,
      ...(sessionFrames ? { incoming_window: sessionFrames } : {}),
      reconnect: false,
    };
  }

  private accept(socket: Socket, l: ListenerEntity): void {
    const role = l.role as LinkRole;
    const conn = this.r.container.create_connection(this.baseOptions(role, 1, l.maxFrameSize, l.maxSessionFrames) as never);
    this.wire(conn, { role, direction: 'in', via: l.name, pendingFlows: new Map() });
    conn.accept(socket as never);
  }

  private dial(c: ConnectorEntity, st: ConnectorState): void {
    if (this.closing) return;
    st.state = 'connecting';
    st.attempts++;
    const profile = c.sslProfile ? loadSslProfile(this.r.sslProfile(c.sslProfile)) : undefined;
    const tlsOpts = profile
      ? { transport: 'tls', ...profile, rejectUnauthorized: true, servername: isIP(c.host) ? '' : c.host, ...(c.verifyHostname ? {} : { checkServerIdentity: () => undefined }) }
      : {};
    const role = c.role as LinkRole;
    const conn = this.r.container.create_connection({
      ...this.baseOptions(role, c.cost, c.maxFrameSize, c.maxSessionFrames),
      host: c.host,
      port: c.port,
      ...tlsOpts,
    } as never);
    const meta: ConnMeta = { role, direction: 'out', via: c.name, cost: c.cost, pendingFlows: new Map() };
    this.wire(conn, meta, () => {
      st.state = this.closing ? 'stopped' : 'backoff';
      st.peer = undefined;
      if (this.closing) return;
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(st.attempts - 1, 10));
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.dial(c, st);
      }, delay);
      this.timers.add(t);
    }, (peer) => {
      st.state = 'up';
      st.peer = peer;
      st.attempts = 0;
      st.lastError = undefined;
    }, (err) => (st.lastError = err));
    conn.connect();
  }

  private wire(conn: Connection, meta: ConnMeta, onGone?: () => void, onUp?: (peer: string) => void, onErr?: (e: string) => void): void {
    this.conns.add(conn);
    let gone = false;
    const down = (why: string) => {
      if (gone) return;
      gone = true;
      this.conns.delete(conn);
      if (meta.neighbor) this.dropNeighbor(meta.neighbor, why);
      onGone?.();
    };
    conn.on('connection_open', (ctx: EventContext) => {
      const peer = this.peerOf(ctx.connection, meta);
      if (peer === undefined) return;
      onUp?.(peer);
      this.addNeighbor(conn, meta, peer);
    });
    conn.on('connection_error', (ctx: EventContext) => onErr?.(String((ctx.connection.error as { description?: string } | undefined)?.description ?? ctx.connection.error)));
    conn.on('connection_close', () => {
      down('closed by peer');
      if (!conn.is_closed()) conn.close();
    });
    conn.on('disconnected', (ctx: EventContext) => {
      if (ctx.error) onErr?.(String((ctx.error as Error).message ?? ctx.error));
      down(`disconnected${ctx.error ? `: ${(ctx.error as Error).message}` : ''}`);
    });
    conn.on('receiver_open', (ctx: EventContext) => this.onRemoteLink(meta, ctx.receiver!, 'receiver'));
    conn.on('sender_open', (ctx: EventContext) => this.onRemoteLink(meta, ctx.sender!, 'sender'));
    conn.on('message', (ctx: EventContext) => this.onMessage(meta, ctx));
    for (const ev of ['sender_error', 'receiver_error', 'session_error', 'sender_close', 'receiver_close', 'session_close', 'settled', 'accepted', 'released', 'rejected', 'modified', 'sendable']) {
      conn.on(ev, () => {});
    }
  }

  /** Who is on the other end, or undefined after refusing the connection. */
  private peerOf(c: Connection, meta: ConnMeta): string | undefined {
    const props = (c.properties ?? {}) as Record<string, unknown>;
    const peer = props[P.id];
    const refuse = (description: string) => {
      this.r.log.warn('ROUTER', 'link-refused', { via: meta.via, description });
      c.close({ condition: 'amqp:unauthorized-access', description });
      return undefined;
    };
    if (typeof peer !== 'string') return refuse(`${meta.role} ${meta.via} accepts only routers`);
    if (peer === this.r.id) return refuse('connected to itself');
    if (props[P.role] !== meta.role) return refuse(`peer ${peer} wants role ${String(props[P.role])}, ${meta.via} has role ${meta.role}`);
    if (meta.direction === 'in') meta.cost = Math.max(1, Number(props[P.cost] ?? 1) || 1);
    return peer;
  }

  private addNeighbor(conn: Connection, meta: ConnMeta, peer: string): void {
    const old = this.neighbors.get(peer);
    if (old) {
      // Two links between the same pair: keep the one opened by the router with the smaller id.
      const keepNew = (meta.direction === 'out') === this.r.id < peer;
      if (!keepNew) {
        conn.close({ condition: 'amqp:resource-locked', description: `already linked to ${peer}` });
        return;
      }
      old.conn.close({ condition: 'amqp:resource-locked', description: `replaced link to ${peer}` });
      this.dropNeighbor(old, 'replaced');
    }
    const ctl = conn.open_sender({ target: { address: CTL_ADDRESS }, snd_settle_mode: 1 });
    const msg = conn.open_sender({ target: { address: MSG_ADDRESS }, snd_settle_mode: 1 });
    this.flowLinks.markMine(ctl, msg);
    const n: Neighbor = {
      id: peer, role: meta.role, cost: meta.cost ?? 1, direction: meta.direction, via: meta.via,
      conn, ctl, msg, flows: new Set(), since: Date.now(),
    };
    meta.neighbor = n;
    this.neighbors.set(peer, n);
    this.r.log.info('ROUTER', 'link-up', { peer, role: n.role, cost: n.cost, direction: n.direction, via: n.via });
    for (const rec of this.r.db.all()) this.sendRecord(n, rec);
    this.r.topologyChanged();
  }

  private dropNeighbor(n: Neighbor, why: string): void {
    for (const f of n.flows) f.destroy(new Error(`link to ${n.id} lost: ${why}`));
    n.flows.clear();
    if (this.neighbors.get(n.id) !== n) return;
    this.neighbors.delete(n.id);
    this.r.log.info('ROUTER', 'link-down', { peer: n.id, reason: why });
    this.r.topologyChanged();
  }

  private onRemoteLink(meta: ConnMeta, link: Sender | Receiver, kind: 'sender' | 'receiver'): void {
    if (this.flowLinks.isMine(link)) return;
    if (link.name.startsWith('flow/')) {
      if (meta.neighbor) this.flowLinks.onPeerLink(meta.neighbor, meta.pendingFlows, link, kind);
    } else if (kind === 'receiver') {
      (link as Receiver).add_credit(250); // control and message links: replenished per message
    }
  }

  private onMessage(meta: ConnMeta, ctx: EventContext): void {
    const rcv = ctx.receiver!;
    ctx.delivery?.update(true); // pre-settled: free it in rhea's session buffer
    rcv.add_credit(1);
    const m = ctx.message;
    if (!m || !meta.neighbor) return;
    const address = rcv.target?.address;
    if (address === CTL_ADDRESS && m.subject === 'lsr') {
      this.r.onRecord(JSON.parse(String(m.body)) as RouterRecord, meta.neighbor.id);
    } else if (address === MSG_ADDRESS) {
      const ap = (m.application_properties ?? {}) as Record<string, unknown>;
      this.r.amqp.onRoutedMessage(String(ap['dst']), String(ap['address']), m.body as Buffer);
    }
  }

  sendRecord(n: Neighbor, rec: RouterRecord): void {
    n.ctl.send({ subject: 'lsr', body: JSON.stringify(rec) });
  }

  flood(rec: RouterRecord, except?: string): void {
    for (const n of this.neighbors.values()) if (n.id !== except) this.sendRecord(n, rec);
  }

  /** Sends an encoded client message towards router `dst` through neighbour `via`. */
  forwardMessage(via: string, dst: string, address: string, encoded: Buffer): boolean {
    const n = this.neighbors.get(via);
    if (!n) return false;
    n.msg.send({ application_properties: { dst, address }, body: encoded } as Message);
    return true;
  }

  /** Opens the next hop of a TCP flow towards router `dst` through neighbour `via`. */
  openFlow(via: string, flowId: string, address: string, dst: string): AmqpFlowStream | undefined {
    const n = this.neighbors.get(via);
    return n ? this.flowLinks.open(n, flowId, address, dst) : undefined;
  }

  /** Links rhea holds in the sessions of inter-router connections (control, message and flow links). */
  amqpLinks(): number {
    let n = 0;
    for (const c of this.conns) {
      const sessions = (c as unknown as { local_channel_map: Record<string, { links: Record<string, unknown> }> }).local_channel_map;
      for (const s of Object.values(sessions)) n += Object.keys(s.links).length;
    }
    return n;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    for (const st of this.connectors) st.state = 'stopped';
    for (const n of [...this.neighbors.values()]) this.dropNeighbor(n, 'router stopping');
    for (const c of this.conns) {
      try {
        c.close();
      } catch {
        // already gone
      }
    }
    await Promise.all(this.servers.map((s) => s.bound.close()));
    await new Promise((r) => setTimeout(r, 20));
    for (const c of this.conns) (c as unknown as { socket?: Socket }).socket?.destroy();
  }
}
