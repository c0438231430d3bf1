/**
 * TCP adaptor: each connection accepted by a tcpListener becomes a flow to a router whose
 * tcpConnector serves the same address (cheapest; round-robin among equals); that router
 * opens TCP to host:port. Intermediate routers splice flow hops together.
 *
 * As in skrouterd, a tcpListener listens only while its address is reachable (operStatus
 * 'up'); when the last tcpConnector for it goes, it stops accepting (open flows go on).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TcpConnectorEntity, TcpListenerEntity } from './config-schema.ts';
import type { AmqpFlowStream } from './flow-stream.ts';
import { listenSockets, type BoundServer } from './listen.ts';
import type { Router } from './router.ts';
import { splice } from './splice.ts';

interface Counters {
  bytesIn: number;
  bytesOut: number;
  opened: number;
  active: number;
}

/** One active flow end this router holds, for gauges. */
interface Held {
  ends: Duplex[];
}

/** A tcpListener: bound while its address is reachable. */
export interface TcpListenerState {
  listener: TcpListenerEntity;
  counters: Counters;
  bound?: BoundServer;
  operStatus: 'up' | 'down';
  /** Why it is not listening although its address is reachable (a failed bind). */
  connectionMsg: string;
  /** The latest sync of this listener (they run one after the other). */
  syncing: Promise<void>;
  removed?: boolean;
}

export class TcpAdaptor {
  readonly servers: TcpListenerState[] = [];
  readonly connectorCounters = new Map<string, Counters>();
  /** Per-address flow counts at ingress. */
  readonly flows = new Map<string, { opened: number; active: number; refusedNoRoute: number }>();
  private readonly held = new Set<Held>();
  private readonly sockets = new Map<net.Socket, Counters>();
  private readonly rr = new Map<string, number>();
  private nextFlow = 0;
  maxBuffered = 0;

  constructor(private readonly r: Router) {
    for (const c of r.config.tcpConnectors) this.connectorCounters.set(c.name, newCounters());
  }

  async start(): Promise<void> {
    for (const l of this.r.config.tcpListeners) this.servers.push({ listener: l, counters: newCounters(), operStatus: 'down', connectionMsg: '', syncing: Promise.resolve() });
    await this.syncListeners();
  }

  /** Opens the tcpListeners whose address became reachable, closes those whose address did not stay so. */
  syncListeners(): Promise<void> {
    return Promise.all(this.servers.map((st) => this.sync(st))).then(() => undefined);
  }

  /** Brings one listener in line with its address's reachability; calls on one listener run in turn. */
  private sync(st: TcpListenerState): Promise<void> {
    st.syncing = st.syncing.then(() => this.syncNow(st));
    return st.syncing;
  }

  private async syncNow(st: TcpListenerState): Promise<void> {
    const l = st.listener;
    const wanted = !st.removed && this.r.destinations(l.address, 'tcp').length > 0;
    if (wanted && !st.bound) {
      try {
        const bound = await listenSockets(`tcpListener "${l.name}"`, l.host, l.port, undefined, (s) => this.onClient(l, s, st.counters), () => {}, {
          allowHalfOpen: true,
          pauseOnConnect: true,
        });
        st.bound = bound;
        st.operStatus = 'up';
        st.connectionMsg = '';
        this.r.log.info('TCP_ADAPTOR', 'listening', { tcpListener: l.name, address: l.address, host: l.host, port: bound.port });
      } catch (e) {
        st.connectionMsg = (e as Error).message;
        this.r.log.error('TCP_ADAPTOR', 'listen-failed', { tcpListener: l.name, address: l.address, error: st.connectionMsg });
        return;
      }
      // The address may have gone while binding.
      if (st.removed || this.r.destinations(l.address, 'tcp').length === 0) await this.syncNow(st);
    } else if (!wanted && st.bound) {
      const bound = st.bound;
      st.bound = undefined;
      st.operStatus = 'down';
      // Stop accepting; connections already carried keep going (as skrouterd does).
      bound.server.close();
      this.r.log.info('TCP_ADAPTOR', 'not-listening', { tcpListener: l.name, address: l.address, reason: st.removed ? 'deleted' : 'address not reachable' });
    }
  }

  /** Adds a tcpListener at run time (management CREATE); it listens once its address is reachable. */
  async addListener(l: TcpListenerEntity): Promise<TcpListenerState> {
    this.r.config.tcpListeners.push(l);
    const st: TcpListenerState = { listener: l, counters: newCounters(), operStatus: 'down', connectionMsg: '', syncing: Promise.resolve() };
    this.servers.push(st);
    await this.sync(st);
    return st;
  }

  /** Removes a tcpListener (management DELETE): it stops accepting; open flows go on. */
  async removeListener(name: string): Promise<void> {
    const st = this.servers.find((s) => s.listener.name === name);
    if (!st) return;
    st.removed = true;
    this.servers.splice(this.servers.indexOf(st), 1);
    removeNamed(this.r.config.tcpListeners, name);
    await this.sync(st);
  }

  /** Adds a tcpConnector at run time: its address is announced to the network. */
  addConnector(c: TcpConnectorEntity): void {
    this.r.config.tcpConnectors.push(c);
    this.connectorCounters.set(c.name, newCounters());
    this.r.topologyChanged();
  }

  /** Removes a tcpConnector: new flows no longer reach it; open ones go on. */
  removeConnector(name: string): void {
    removeNamed(this.r.config.tcpConnectors, name);
    this.connectorCounters.delete(name);
    this.r.topologyChanged();
  }

  localAddresses(): string[] {
    return [...new Set(this.r.config.tcpConnectors.map((c) => c.address))].sort();
  }

  private addressStats(address: string) {
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

  private hold(ends: Duplex[], done: Promise<void>): void {
    const h: Held = { ends };
    this.held.add(h);
    void done.then(() => this.held.delete(h));
  }

  private onClient(l: TcpListenerEntity, socket: net.Socket, counters: Counters): void {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const stats = this.addressStats(l.address);
    const target = this.r.pickDestination(l.address, 'tcp');
    if (!target) {
      stats.refusedNoRoute++;
      this.r.log.warn('TCP_ADAPTOR', 'no-route', { tcpListener: l.name, address: l.address, client: `${socket.remoteAddress}:${socket.remotePort}` });
      socket.destroy();
      return;
    }
    this.countSocket(socket, counters);
    const flowId = `${this.r.id}.${this.r.incarnation.toString(36)}.${++this.nextFlow}`;
    let far: Duplex | undefined;
    if (target.router === this.r.id) far = this.connectLocal(l.address, flowId);
    else far = this.r.inter.openFlow(target.nextHop, flowId, l.address, target.router);
    if (!far) {
      stats.refusedNoRoute++;
      socket.destroy();
      return;
    }
    stats.opened++;
    stats.active++;
    this.r.log.debug('TCP_ADAPTOR', 'flow-open', { flow: flowId, address: l.address, to: target.router, via: target.nextHop });
    const done = splice(socket, far);
    this.hold([socket, far], done);
    void done.then(() => {
      stats.active--;
      this.r.log.debug('TCP_ADAPTOR', 'flow-closed', { flow: flowId });
    });
    socket.resume();
  }

  /** Opens TCP to a local tcpConnector for `address` (round-robin over several). */
  private connectLocal(address: string, flowId: string): net.Socket | undefined {
    const cands = this.r.config.tcpConnectors.filter((c) => c.address === address);
    if (cands.length === 0) return undefined;
    const i = (this.rr.get(`local:${address}`) ?? 0) % cands.length;
    this.rr.set(`local:${address}`, i + 1);
    const c: TcpConnectorEntity = cands[i]!;
    const s = net.connect({ host: c.host, port: c.port, allowHalfOpen: true });
    s.setNoDelay(true);
    let connected = false;
    s.once('connect', () => (connected = true));
    s.on('error', (err) => {
      if (!connected) {
        this.r.log.warn('TCP_ADAPTOR', 'connect-failed', { flow: flowId, tcpConnector: c.name, host: c.host, port: c.port, error: err.message });
      } else this.r.log.debug('TCP_ADAPTOR', 'socket-closed', { flow: flowId, tcpConnector: c.name, reason: err.message });
    });
    this.countSocket(s, this.connectorCounters.get(c.name) ?? newCounters());
    return s;
  }

  /** A flow hop arrived from neighbour `from`: deliver it locally or pass it on. */
  onInboundFlow(stream: AmqpFlowStream, address: string, dst: string, from: string): void {
    stream.on('error', () => {});
    this.r.log.debug('TCP_ADAPTOR', 'flow-inbound', { flow: stream.flowId, address, dst, from });
    let far: Duplex | undefined;
    if (dst === this.r.id) far = this.connectLocal(address, stream.flowId);
    else {
      const hop = this.r.routes.get(dst);
      if (hop && hop.nextHop !== from) far = this.r.inter.openFlow(hop.nextHop, stream.flowId, address, dst);
    }
    if (!far) {
      this.r.log.warn('TCP_ADAPTOR', 'no-route', { flow: stream.flowId, address, dst, from });
      stream.destroy(new Error(`no route to ${dst} for ${address}`));
      return;
    }
    const done = splice(stream, far);
    this.hold([stream, far], done);
  }

  /** Bytes currently held in flow buffers on this router (sockets and AMQP hops). */
  bufferedBytes(): number {
    let n = 0;
    for (const h of this.held) {
      for (const e of h.ends) {
        const amqp = (e as Partial<AmqpFlowStream>).buffered;
        n += amqp ? amqp.call(e) : e.readableLength + e.writableLength;
      }
    }
    if (n > this.maxBuffered) this.maxBuffered = n;
    return n;
  }

  /** Live byte totals per tcpListener / tcpConnector name. */
  byteTotals(): { kind: 'tcpListener' | 'tcpConnector'; name: string; address: string; bytesIn: number; bytesOut: number; active: number; opened: number }[] {
    const live = new Map<Counters, { i: number; o: number }>();
    for (const [s, c] of this.sockets) {
      const v = live.get(c) ?? { i: 0, o: 0 };
      v.i += s.bytesRead;
      v.o += s.bytesWritten;
      live.set(c, v);
    }
    const row = (kind: 'tcpListener' | 'tcpConnector', name: string, address: string, c: Counters) => ({
      kind, name, address, bytesIn: c.bytesIn + (live.get(c)?.i ?? 0), bytesOut: c.bytesOut + (live.get(c)?.o ?? 0), active: c.active, opened: c.opened,
    });
    return [
      ...this.servers.map((s) => row('tcpListener', s.listener.name, s.listener.address, s.counters)),
      ...this.r.config.tcpConnectors.map((c) => row('tcpConnector', c.name, c.address, this.connectorCounters.get(c.name) ?? newCounters())),
    ];
  }

  async close(): Promise<void> {
    for (const h of this.held) for (const e of h.ends) e.destroy();
    for (const st of this.servers) st.removed = true;
    await Promise.all(this.servers.map(async (s) => {
      await s.syncing;
      await s.bound?.close();
    }));
  }
}

function newCounters(): Counters {
  return { bytesIn: 0, bytesOut: 0, opened: 0, active: 0 };
}

function removeNamed<T extends { name: string }>(list: T[], name: string): void {
  const i = list.findIndex((x) => x.name === name);
  if (i >= 0) list.splice(i, 1);
}
