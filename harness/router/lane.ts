/**
 * A lane: the data plane of one process. It accepts clients on the tcpListeners (sockets
 * shared by every lane; the kernel hands each connection to one), opens TCP to local
 * tcpConnectors, and owns data connections to the same-numbered lanes of neighbour routers,
 * so a flow stays in one lane on every router it crosses. Routes and instructions come from
 * the primary (`handle`); what the lane sees goes back through `report`.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ListenerEntity, SslProfileEntity, TcpConnectorEntity, TcpListenerEntity } from './config-schema.ts';
import { DataConnection, type DataConnectionOptions } from './data-connection.ts';
import { join, SOCKET_HIGH_WATER, SocketEnd, type FlowEnd } from './flow-ends.ts';
import { FlowMux, type FlowMeta } from './flow-mux.ts';
import type { AddressFlows, Counters, FromLane, LaneInit, LaneStats, ToLane } from './lane-protocol.ts';
import type { RouteEntry } from './link-state.ts';
import { listenSockets, type BoundServer } from './listen.ts';
import type { RouterLog } from './log.ts';
import { connectorTls, loadSslProfile, sslProfileOf } from './tls.ts';

export const P_ID = 'knetsim:router-id';
export const P_TOKEN = 'knetsim:token';
export const P_LANE = 'knetsim:lane';
/** Session window of data connections when the listener/connector sets no maxSessionFrames. */
export const DEFAULT_SESSION_FRAMES = 1 << 16;
export const DEFAULT_FRAME_SIZE = 65536;

const zero = (): Counters => ({ bytesIn: 0, bytesOut: 0, opened: 0, active: 0 });

interface PeerConn {
  peer: string;
  mux: FlowMux;
  slot: number | null;
}

export class Lane {
  readonly id: string;
  private readonly listeners = new Map<string, { entity: TcpListenerEntity; server: net.Server }>();
  /** Per tcpListener: its counters, kept while it stops and starts listening (until it is deleted). */
  private readonly listenerCounters = new Map<string, Counters>();
  private connectors: { entity: TcpConnectorEntity; counters: Counters }[] = [];
  private readonly retiredConnectors = new Map<string, Counters>();
  private tcpRoutes = new Map<string, RouteEntry[]>();
  private hops = new Map<string, string>();
  private readonly tokens = new Map<string, string>();
  private readonly conns = new Map<string, PeerConn[]>();
  private readonly dialing = new Map<string, net.Socket>();
  private readonly dataServers: { listener: ListenerEntity; bound: BoundServer }[] = [];
  private readonly sockets = new Map<net.Socket, Counters>();
  private readonly flows = new Map<string, AddressFlows>();
  private readonly held = new Set<FlowEnd[]>();
  private readonly rr = new Map<string, number>();
  private nextFlow = 0;
  private maxBuffered = 0;
  private stopped = false;

  constructor(readonly init: LaneInit, private readonly log: RouterLog, private readonly report: (m: FromLane) => void) {
    this.id = init.routerId;
    this.setConnectors(init.config.tcpConnectors);
  }

  /** Binds a data listener beside every inter-router/edge listener, then reports `ready`. */
  async start(): Promise<void> {
    for (const l of this.init.config.listeners) {
      if (l.http || l.role === 'normal') continue;
      await this.openDataListener(l, l.sslProfile ? sslProfileOf(this.init.config.sslProfiles, l.sslProfile) : undefined);
    }
    this.reportReady();
  }

  private reportReady(): void {
    this.report({ t: 'ready', ports: Object.fromEntries(this.dataServers.map((s) => [s.listener.name, s.bound.port])), pid: process.pid });
  }

  /** A data listener beside inter-router/edge listener `l`: same host, TLS and peer authentication, an ephemeral port. */
  private async openDataListener(l: ListenerEntity, profile: SslProfileEntity | undefined): Promise<void> {
    const tlsMaterial = profile ? loadSslProfile(profile) : undefined;
    const bound = await listenSockets(
      `data listener of "${l.name}" (lane ${this.init.index})`, l.host, 0,
      tlsMaterial ? { ...tlsMaterial, requestCert: l.authenticatePeer } : undefined,
      (s) => this.acceptData(s, l),
      (err) => this.log.warn('TCP_ADAPTOR', 'data-tls-handshake-failed', { listener: l.name, lane: this.init.index, error: err.message }),
    );
    this.dataServers.push({ listener: l, bound });
  }

  /** An inter-router/edge listener added at run time: listen beside it too, report the ports again. */
  private async addDataListener(l: ListenerEntity, profile: SslProfileEntity | undefined): Promise<void> {
    if (this.stopped) return;
    if (!this.dataServers.some((s) => s.listener.name === l.name)) {
      try {
        await this.openDataListener(l, profile);
      } catch (e) {
        this.log.error('TCP_ADAPTOR', 'data-listen-failed', { listener: l.name, lane: this.init.index, error: (e as Error).message });
        return;
      }
    }
    this.reportReady();
  }

  /** The listener was deleted: its data listener closes (data connections it accepted stay). */
  private removeDataListener(name: string): void {
    const i = this.dataServers.findIndex((s) => s.listener.name === name);
    if (i < 0) return;
    const [s] = this.dataServers.splice(i, 1);
    s!.bound.server.close();
    this.reportReady();
  }

  handle(m: ToLane, handle?: unknown): void {
    switch (m.t) {
      case 'listen': return this.listen(m.entity, handle);
      case 'unlisten': {
        const l = this.listeners.get(m.name);
        this.listeners.delete(m.name);
        if (m.forget) this.listenerCounters.delete(m.name);
        l?.server.close();
        if (m.seq) this.report({ t: 'applied', seq: m.seq });
        return;
      }
      case 'dataListen': return void this.addDataListener(m.listener, m.sslProfile);
      case 'dataUnlisten': return this.removeDataListener(m.name);
      case 'connectors': return this.setConnectors(m.list);
      case 'routes':
        this.tcpRoutes = new Map(m.tcp);
        this.hops = new Map(m.hops);
        return;
      case 'peer':
        this.tokens.set(m.peer, m.token);
        return;
      case 'unpeer':
        this.tokens.delete(m.peer);
        for (const [key, sock] of this.dialing) if (key.startsWith(`${m.peer}#`)) sock.destroy();
        for (const c of this.conns.get(m.peer) ?? []) c.mux.conn.close({ condition: 'amqp:connection:forced', description: 'inter-router link down' });
        return;
      case 'dial': return this.dial(m);
      case 'init': // lane-main.ts handles these three
      case 'stop':
      case 'log': return;
    }
  }

  // ---------------------------------------------------------------------------------------
  // tcpListeners and tcpConnectors

  /**
   * Serves a tcpListener: listens on its socket, which the primary bound and every lane
   * listens on (the kernel hands each connection to one of them).
   */
  listen(entity: TcpListenerEntity, handle: unknown): void {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, highWaterMark: SOCKET_HIGH_WATER });
    let counters = this.listenerCounters.get(entity.name);
    if (!counters) this.listenerCounters.set(entity.name, (counters = zero()));
    this.listeners.get(entity.name)?.server.close();
    this.listeners.set(entity.name, { entity, server });
    server.on('connection', (s: net.Socket) => this.onClient(entity, s, counters!));
    server.once('listening', () => this.report({ t: 'listening', name: entity.name }));
    server.on('error', (e: NodeJS.ErrnoException) => {
      if (!server.listening) this.report({ t: 'listening', name: entity.name, error: e.code ?? e.message });
      this.log.warn('TCP_ADAPTOR', 'listener-error', { tcpListener: entity.name, lane: this.init.index, error: e.message });
    });
    server.listen(handle as net.Server);
  }

  private setConnectors(list: TcpConnectorEntity[]): void {
    const old = new Map(this.connectors.map((c) => [c.entity.name, c.counters]));
    this.connectors = list.map((entity) => ({ entity, counters: old.get(entity.name) ?? this.retiredConnectors.get(entity.name) ?? zero() }));
    for (const [name, c] of old) if (!list.some((e) => e.name === name)) this.retiredConnectors.set(name, c);
  }

  private addressStats(address: string): AddressFlows {
    let s = this.flows.get(address);
    if (!s) this.flows.set(address, (s = { opened: 0, active: 0, refusedNoRoute: 0 }));
    return s;
  }

  private countSocket(s: net.Socket, c: Counters): void {
    this.sockets.set(s, c);
    c.opened++;
    c.active++;
    s.once('close', () => {
      this.sockets.delete(s);
      c.active--;
      c.bytesIn += s.bytesRead;
      c.bytesOut += s.bytesWritten;
    });
  }

  /** The cheapest router serving `address`, round-robin among equal costs. */
  private pickDestination(address: string): RouteEntry | undefined {
    const all = this.tcpRoutes.get(address);
    if (!all || all.length === 0) return undefined;
    let n = 1;
    while (n < all.length && all[n]!.cost === all[0]!.cost) n++;
    return all[this.turn(`route:${address}`, n)];
  }

  /** The next of `n` choices for `key`, in turn. */
  private turn(key: string, n: number): number {
    const i = (this.rr.get(key) ?? 0) % n;
    this.rr.set(key, i + 1);
    return i;
  }

  /** A data connection to neighbour `peer` (round-robin when this lane has several). */
  private muxTo(peer: string): FlowMux | undefined {
    const list = this.conns.get(peer);
    if (!list || list.length === 0) return undefined;
    return list[this.turn(`conn:${peer}`, list.length)]!.mux;
  }

  private onClient(l: TcpListenerEntity, socket: net.Socket, counters: Counters): void {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const stats = this.addressStats(l.address);
    const target = this.pickDestination(l.address);
    const refuse = (why: string) => {
      stats.refusedNoRoute++;
      this.log.warn('TCP_ADAPTOR', 'no-route', { tcpListener: l.name, address: l.address, client: `${socket.remoteAddress}:${socket.remotePort}`, reason: why });
      socket.destroy();
    };
    if (!target) return refuse('no router serves the address');
    const flowId = `${this.id}.${this.init.incarnation.toString(36)}.${this.init.index}.${++this.nextFlow}`;
    let far: FlowEnd | undefined;
    if (target.router === this.id) far = this.connectLocal(l.address, flowId);
    else far = this.muxTo(target.nextHop)?.open({ id: flowId, address: l.address, dst: target.router });
    if (!far) return refuse(`no data connection to ${target.nextHop} could take the flow`);
    this.countSocket(socket, counters);
    stats.opened++;
    stats.active++;
    this.log.debug('TCP_ADAPTOR', 'flow-open', { flow: flowId, address: l.address, to: target.router, via: target.nextHop, lane: this.init.index });
    this.hold(new SocketEnd(socket), far, () => {
      stats.active--;
      this.log.debug('TCP_ADAPTOR', 'flow-closed', { flow: flowId });
    });
    socket.resume();
  }

  private hold(a: FlowEnd, b: FlowEnd, done?: () => void): void {
    const pair = [a, b];
    this.held.add(pair);
    join(a, b, () => {
      this.held.delete(pair);
      done?.();
    });
  }

  /** TCP to a local tcpConnector for `address` (round-robin over several). */
  private connectLocal(address: string, flowId: string): SocketEnd | undefined {
    const cands = this.connectors.filter((c) => c.entity.address === address);
    if (cands.length === 0) return undefined;
    const { entity: c, counters } = cands[this.turn(`local:${address}`, cands.length)]!;
    // (net.connect passes stream options on to the socket; the typings leave them out.)
    const s = net.connect({ host: c.host, port: c.port, allowHalfOpen: true, noDelay: true, writableHighWaterMark: SOCKET_HIGH_WATER } as net.NetConnectOpts);
    let connected = false;
    s.once('connect', () => (connected = true));
    s.on('error', (err) => {
      if (!connected) this.log.warn('TCP_ADAPTOR', 'connect-failed', { flow: flowId, tcpConnector: c.name, host: c.host, port: c.port, error: err.message });
      else this.log.debug('TCP_ADAPTOR', 'socket-closed', { flow: flowId, tcpConnector: c.name, reason: err.message });
    });
    this.countSocket(s, counters);
    return new SocketEnd(s);
  }

  /** A flow hop arrived from `mux`'s peer: deliver it locally or pass it on, in this lane. */
  private onInbound(end: FlowEnd, meta: FlowMeta, from: string): void {
    this.log.debug('TCP_ADAPTOR', 'flow-inbound', { flow: meta.id, address: meta.address, dst: meta.dst, from, lane: this.init.index });
    let far: FlowEnd | undefined;
    if (meta.dst === this.id) far = this.connectLocal(meta.address, meta.id);
    else {
      const hop = this.hops.get(meta.dst);
      if (hop && hop !== from) far = this.muxTo(hop)?.open(meta);
    }
    if (!far) {
      this.log.warn('TCP_ADAPTOR', 'no-route', { flow: meta.id, address: meta.address, dst: meta.dst, from, lane: this.init.index });
      return end.abort(`no route to ${meta.dst} for ${meta.address}`);
    }
    this.hold(end, far);
  }

  // ---------------------------------------------------------------------------------------
  // Data connections

  private connOptions(frame: number | undefined, sessionFrames: number | undefined, extra: Record<string, unknown>): DataConnectionOptions {
    return {
      containerId: `${this.id}/lane${this.init.index}`,
      maxFrameSize: frame ?? DEFAULT_FRAME_SIZE,
      incomingWindow: sessionFrames ?? DEFAULT_SESSION_FRAMES,
      idleTimeoutMs: this.init.idleTimeoutMs,
      properties: { [P_ID]: this.id, [P_LANE]: this.init.index, ...extra },
    };
  }

  private acceptData(socket: net.Socket, l: ListenerEntity): void {
    socket.on('error', () => {});
    const conn = new DataConnection(socket, this.connOptions(l.maxFrameSize, l.maxSessionFrames, {}));
    let peer: string | undefined;
    conn.hooks.open = (props) => {
      const id = props[P_ID];
      if (typeof id !== 'string' || this.tokens.get(id) === undefined || props[P_TOKEN] !== this.tokens.get(id)) {
        this.log.warn('TCP_ADAPTOR', 'data-connection-refused', { listener: l.name, lane: this.init.index, peer: String(id) });
        return { condition: 'amqp:unauthorized-access', description: 'not a data connection of a linked router' };
      }
      peer = id;
      return undefined;
    };
    this.wireData(conn, () => peer, null);
  }

  private dial(m: Extract<ToLane, { t: 'dial' }>): void {
    if (this.stopped) return;
    const c = m.connector;
    const opts = { host: m.host, port: m.port, allowHalfOpen: false, noDelay: true };
    const profile = m.sslProfile ? loadSslProfile(m.sslProfile) : undefined;
    const socket = profile ? tls.connect({ ...opts, ...connectorTls(profile, m.host, c.verifyHostname) }) : net.connect(opts);
    socket.on('error', () => {});
    const key = `${m.peer}#${m.slot}`;
    this.dialing.set(key, socket);
    const conn = new DataConnection(socket, this.connOptions(c.maxFrameSize, c.maxSessionFrames, { [P_TOKEN]: m.token }));
    conn.hooks.open = (props) => (props[P_ID] === m.peer ? undefined : { condition: 'amqp:unauthorized-access', description: `expected router ${m.peer}` });
    this.wireData(conn, () => m.peer, m.slot, () => this.dialing.delete(key));
  }

  private wireData(conn: DataConnection, peerOf: () => string | undefined, slot: number | null, onGone?: () => void): void {
    let entry: PeerConn | undefined;
    conn.hooks.ready = () => {
      const peer = peerOf();
      if (!peer || this.stopped) return conn.close();
      const from = peer;
      entry = { peer, slot, mux: new FlowMux(conn, (end, meta) => this.onInbound(end, meta, from)) };
      const list = this.conns.get(peer) ?? [];
      list.push(entry);
      this.conns.set(peer, list);
      this.log.info('TCP_ADAPTOR', 'data-connection-up', { peer, lane: this.init.index, slot, frameSize: conn.frameSize });
      this.report({ t: 'data', peer, slot, up: true });
    };
    conn.hooks.closed = (err) => {
      onGone?.();
      const peer = peerOf();
      if (entry) {
        const list = (this.conns.get(entry.peer) ?? []).filter((e) => e !== entry);
        if (list.length) this.conns.set(entry.peer, list);
        else this.conns.delete(entry.peer);
        this.log.info('TCP_ADAPTOR', 'data-connection-down', { peer: entry.peer, lane: this.init.index, slot, reason: err?.description ?? err?.condition ?? 'closed' });
      }
      if (peer && (entry || slot !== null)) this.report({ t: 'data', peer, slot, up: false, ...(err ? { error: err.description ?? err.condition } : {}) });
    };
  }

  // ---------------------------------------------------------------------------------------
  // Gauges

  bufferedBytes(): number {
    let n = 0;
    for (const pair of this.held) for (const e of pair) n += e.buffered();
    for (const list of this.conns.values()) for (const c of list) n += c.mux.conn.bufferedBytes();
    if (n > this.maxBuffered) this.maxBuffered = n;
    return n;
  }

  stats(): LaneStats {
    const live = new Map<Counters, { i: number; o: number }>();
    for (const [s, c] of this.sockets) {
      const v = live.get(c) ?? { i: 0, o: 0 };
      v.i += s.bytesRead;
      v.o += s.bytesWritten;
      live.set(c, v);
    }
    const withLive = (c: Counters): Counters => ({ ...c, bytesIn: c.bytesIn + (live.get(c)?.i ?? 0), bytesOut: c.bytesOut + (live.get(c)?.o ?? 0) });
    let links = 0;
    for (const list of this.conns.values()) for (const c of list) links += c.mux.conn.linkCount();
    const buffered = this.bufferedBytes();
    return {
      listeners: Object.fromEntries([...this.listenerCounters].map(([name, c]) => [name, withLive(c)])),
      connectors: Object.fromEntries([...this.retiredConnectors.entries(), ...this.connectors.map((c) => [c.entity.name, c.counters] as const)].map(([n, c]) => [n, withLive(c)])),
      flows: Object.fromEntries([...this.flows.entries()].map(([a, f]) => [a, { ...f }])),
      bufferedBytes: buffered,
      maxBuffered: this.maxBuffered,
      links,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.listeners.values()) l.server.close();
    for (const pair of this.held) for (const e of pair) e.abort('router stopping');
    for (const s of this.dialing.values()) s.destroy();
    for (const list of this.conns.values()) for (const c of list) c.mux.conn.close({ condition: 'amqp:connection:forced', description: 'router stopping' });
    await Promise.all(this.dataServers.map((s) => s.bound.close()));
    for (const list of this.conns.values()) for (const c of list) c.mux.conn.socket.destroy();
  }
}
