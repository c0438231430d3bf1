/**
 * Inter-router (and edge) links: AMQP 1.0 connections from connectors and on inter-router
 * listeners. Per link: a control link carrying link-state records (and, from the listening
 * side, where its lanes take data connections) and a message link carrying routed client
 * messages. TCP flows do not cross these connections: they travel on the lanes' data
 * connections (lanes.ts).
 */
import type { Socket } from 'node:net';
import type { Connection, EventContext, Message, Receiver, Sender } from 'rhea';
import { removeNamed } from './config.ts';
import { attachedLinks } from './connections.ts';
import type { ConnectorEntity, ListenerEntity } from './config-schema.ts';
import type { RouterRecord } from './link-state.ts';
import type { BoundServer } from './listen.ts';
import type { Router } from './router.ts';
import { connectorTls, loadSslProfile } from './tls.ts';

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
  since: number;
}

export interface ConnectorState {
  name: string;
  /** Set once the connector is deleted: it no longer redials. */
  removed?: boolean;
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
  /** The connector that dialled this connection. */
  connector?: ConnectorEntity;
  /** Forgets the connection in the router's registry. */
  untrack: () => void;
}

export class InterRouter {
  readonly neighbors = new Map<string, Neighbor>();
  readonly connectors: ConnectorState[] = [];
  readonly servers: { listener: ListenerEntity; bound: BoundServer }[] = [];
  private readonly conns = new Set<Connection>();
  /** The connection each connector has open (or is opening). */
  private readonly dialled = new Map<ConnectorState, Connection>();
  private readonly mine = new WeakSet<Sender | Receiver>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(private readonly r: Router) {}

  async start(): Promise<void> {
    this.servers.push(...(await this.r.openListeners((l) => l.role !== 'normal', (s, l) => this.accept(s, l))));
    for (const c of this.r.config.connectors) this.startConnector(c);
  }

  private startConnector(c: ConnectorEntity): ConnectorState {
    const st: ConnectorState = { name: c.name, host: c.host, port: c.port, role: c.role as LinkRole, state: 'connecting', attempts: 0 };
    this.connectors.push(st);
    this.dial(c, st);
    return st;
  }

  /** Adds a connector at run time (management CREATE): it dials at once. */
  addConnector(c: ConnectorEntity): ConnectorState {
    this.r.config.connectors.push(c);
    return this.startConnector(c);
  }

  /** Removes a connector (management DELETE): its link closes and it never redials. */
  removeConnector(name: string): void {
    const st = this.connectors.find((c) => c.name === name);
    removeNamed(this.r.config.connectors, name);
    if (!st) return;
    st.removed = true;
    st.state = 'stopped';
    this.connectors.splice(this.connectors.indexOf(st), 1);
    const conn = this.dialled.get(st);
    this.dialled.delete(st);
    if (conn) {
      const n = [...this.neighbors.values()].find((x) => x.conn === conn);
      if (n) this.dropNeighbor(n, `connector ${name} deleted`);
      try {
        conn.close();
      } catch {
        // already gone
      }
    }
  }

  /**
   * Opens an inter-router or edge listener at run time (management CREATE); every lane
   * opens a data listener beside it.
   */
  async addListener(l: ListenerEntity): Promise<void> {
    this.r.config.listeners.push(l);
    this.servers.push(...(await this.r.openListeners((x) => x === l, (s, x) => this.accept(s, x))));
    this.r.tcp.lanes.addDataListener(l, l.sslProfile ? this.r.sslProfile(l.sslProfile) : undefined);
  }

  /** Closes an inter-router or edge listener (management DELETE); the links it accepted stay. */
  async removeListener(name: string): Promise<void> {
    const i = this.servers.findIndex((s) => s.listener.name === name);
    removeNamed(this.r.config.listeners, name);
    if (i < 0) return;
    const [s] = this.servers.splice(i, 1);
    s!.bound.server.close();
    this.r.tcp.lanes.removeDataListener(name);
  }

  private baseOptions(role: LinkRole, cost: number, frame?: number, sessionFrames?: number) {
    return {
      container_id: this.r.id,
      properties: { [P.id]: this.r.id, [P.mode]: this.r.mode, [P.role]: role, [P.cost]: cost, product: 'knetsim-router' },
      receiver_options: { credit_window: 0, autoaccept: false },
      sender_options: { snd_settle_mode: 1 },
      // rhea declares a peer dead after 2 × idle_time_out of silence: helloMaxAgeSeconds.
      idle_time_out: this.r.idleTimeoutMs,
      tcp_no_delay: true,
      max_frame_size: frame ?? 65536,
      ...(sessionFrames ? { incoming_window: sessionFrames } : {}),
      reconnect: false,
    };
  }

  private accept(socket: Socket, l: ListenerEntity): void {
    const role = l.role as LinkRole;
    const conn = this.r.container.create_connection(this.baseOptions(role, 1, l.maxFrameSize, l.maxSessionFrames) as never);
    const untrack = this.r.connections.track(conn, role, 'in', `${socket.remoteAddress}:${socket.remotePort}`);
    this.wire(conn, { role, direction: 'in', via: l.name, untrack });
    conn.accept(socket as never);
  }

  private dial(c: ConnectorEntity, st: ConnectorState): void {
    if (this.closing || st.removed) return;
    st.state = 'connecting';
    st.attempts++;
    const profile = c.sslProfile ? loadSslProfile(this.r.sslProfile(c.sslProfile)) : undefined;
    const tlsOpts = profile ? { transport: 'tls', ...connectorTls(profile, c.host, c.verifyHostname) } : {};
    const role = c.role as LinkRole;
    const conn = this.r.container.create_connection({
      ...this.baseOptions(role, c.cost, c.maxFrameSize, c.maxSessionFrames),
      host: c.host,
      port: c.port,
      ...tlsOpts,
    } as never);
    const untrack = this.r.connections.track(conn, role, 'out', `${c.host}:${c.port}`);
    const meta: ConnMeta = { role, direction: 'out', via: c.name, cost: c.cost, connector: c, untrack };
    this.dialled.set(st, conn);
    this.wire(conn, meta, () => {
      if (this.dialled.get(st) === conn) this.dialled.delete(st);
      st.state = this.closing || st.removed ? 'stopped' : 'backoff';
      st.peer = undefined;
      if (this.closing || st.removed) return;
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
      meta.untrack();
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
    conn.on('receiver_open', (ctx: EventContext) => this.onRemoteLink(ctx.receiver!, 'receiver'));
    conn.on('sender_open', (ctx: EventContext) => this.onRemoteLink(ctx.sender!, 'sender'));
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
    this.mine.add(ctl);
    this.mine.add(msg);
    const n: Neighbor = {
      id: peer, role: meta.role, cost: meta.cost ?? 1, direction: meta.direction, via: meta.via,
      conn, ctl, msg, since: Date.now(),
    };
    meta.neighbor = n;
    this.neighbors.set(peer, n);
    this.r.log.info('ROUTER', 'link-up', { peer, role: n.role, cost: n.cost, direction: n.direction, via: n.via });
    for (const rec of this.r.db.all()) this.sendRecord(n, rec);
    this.announceLanes(n);
    this.r.topologyChanged();
  }

  /**
   * From the listening side of a link: where our lanes take data connections and the token
   * they must present. The side with the connector dials them (lanes.ts).
   */
  announceLanes(n: Neighbor): void {
    if (n.direction !== 'in' || this.neighbors.get(n.id) !== n) return;
    const ports = this.r.tcp.lanes.portsFor(n.via);
    if (!ports) return; // not every lane is up yet: announced when they are
    n.ctl.send({ subject: 'lanes', body: JSON.stringify({ ports, token: this.r.tcp.lanes.tokenFor(n.id) }) });
  }

  announceLanesAll(): void {
    for (const n of this.neighbors.values()) this.announceLanes(n);
  }

  private dropNeighbor(n: Neighbor, why: string): void {
    if (this.neighbors.get(n.id) !== n) return;
    this.neighbors.delete(n.id);
    this.r.tcp.lanes.dropPeer(n.id);
    this.r.log.info('ROUTER', 'link-down', { peer: n.id, reason: why });
    this.r.topologyChanged();
  }

  private onRemoteLink(link: Sender | Receiver, kind: 'sender' | 'receiver'): void {
    if (this.mine.has(link)) return;
    if (kind === 'receiver') {
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
    } else if (address === CTL_ADDRESS && m.subject === 'lanes') {
      const { ports, token } = JSON.parse(String(m.body)) as { ports: number[]; token: string };
      if (meta.direction === 'out' && meta.connector && Array.isArray(ports) && ports.length > 0) {
        const c = meta.connector;
        this.r.tcp.lanes.dial(meta.neighbor.id, c, c.sslProfile ? this.r.sslProfile(c.sslProfile) : undefined, ports, token);
      }
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

  /** Links rhea holds in the sessions of inter-router control connections. */
  amqpLinks(): number {
    let n = 0;
    for (const c of this.conns) n += attachedLinks(c);
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
