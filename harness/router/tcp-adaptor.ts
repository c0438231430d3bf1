/**
 * TCP adaptor: each connection accepted by a tcpListener becomes a flow to a router whose
 * tcpConnector serves the same address (cheapest; round-robin among equals); that router
 * opens TCP to host:port. The flows themselves run in the lanes (lane.ts); this is the
 * primary's side: it decides when a tcpListener listens, binds its socket, keeps the
 * tcpConnectors, feeds the lanes routes, and adds up their gauges.
 *
 * As in skrouterd, a tcpListener listens only while its address is reachable (operStatus
 * 'up'): the primary binds its socket then and hands it to every lane, which listen on it;
 * when the last tcpConnector for the address goes, the lanes stop listening and the socket
 * is closed (open flows go on). A port that cannot be bound leaves it down, saying why in
 * connectionMsg; the router runs on.
 */
import { removeNamed } from './config.ts';
import type { TcpConnectorEntity, TcpListenerEntity } from './config-schema.ts';
import type { AddressFlows, Counters } from './lane-protocol.ts';
import { Lanes, type LanesHooks } from './lanes.ts';
import { bindHandle, ListenError, type BoundHandle } from './listen.ts';
import type { Router } from './router.ts';

export interface TcpAdaptorOptions {
  /** Number of lanes (router.workerThreads). */
  lanes: number;
  /** Every lane in a child process (else lane 0 runs in this one). */
  laneProcesses?: boolean;
  logFile?: string;
  logEnable?: string;
  idleTimeoutMs: number;
}

/** A tcpListener: bound (and listened on by the lanes) while its address is reachable. */
export interface TcpListenerState {
  listener: TcpListenerEntity;
  bound?: BoundHandle;
  operStatus: 'up' | 'down';
  /** Why it is not listening although its address is reachable (a failed bind). */
  connectionMsg: string;
  removed?: boolean;
}

type ByteTotal = { kind: 'tcpListener' | 'tcpConnector'; name: string; address: string } & Counters;

export class TcpAdaptor {
  readonly servers: TcpListenerState[] = [];
  readonly lanes: Lanes;
  /**
   * The latest sync per tcpListener name: syncs of one name run one after the other, so a
   * listener deleted and created again under its name is unbound before it is bound anew.
   */
  private readonly syncing = new Map<string, Promise<void>>();

  constructor(private readonly r: Router, opts: TcpAdaptorOptions, hooks: LanesHooks) {
    this.lanes = new Lanes(opts.lanes, {
      routerId: r.id, incarnation: r.incarnation, config: r.config, idleTimeoutMs: opts.idleTimeoutMs,
      ...(opts.logFile ? { logFile: opts.logFile } : {}), ...(opts.logEnable ? { logEnable: opts.logEnable } : {}),
    }, r.log, hooks, !opts.laneProcesses);
  }

  async start(): Promise<void> {
    await this.lanes.start();
    for (const l of this.r.config.tcpListeners) this.servers.push({ listener: l, operStatus: 'down', connectionMsg: '' });
    await this.syncListeners();
  }

  // ---------------------------------------------------------------------------------------
  // tcpListeners: listening while their address is reachable

  /** Opens the tcpListeners whose address became reachable, closes those whose address did not stay so. */
  syncListeners(): Promise<void> {
    return Promise.all(this.servers.map((st) => this.sync(st))).then(() => undefined);
  }

  private sync(st: TcpListenerState): Promise<void> {
    const name = st.listener.name;
    const next = (this.syncing.get(name) ?? Promise.resolve()).catch(() => undefined).then(() => this.syncNow(st));
    this.syncing.set(name, next);
    void next.catch(() => undefined).then(() => {
      if (this.syncing.get(name) === next) this.syncing.delete(name);
    });
    return next;
  }

  private wanted(st: TcpListenerState): boolean {
    return !st.removed && this.r.destinations(st.listener.address, 'tcp').length > 0;
  }

  private async syncNow(st: TcpListenerState): Promise<void> {
    const l = st.listener;
    if (this.wanted(st) && !st.bound) {
      try {
        st.bound = await this.bind(l);
        st.operStatus = 'up';
        st.connectionMsg = '';
        this.r.log.info('TCP_ADAPTOR', 'listening', { tcpListener: l.name, address: l.address, host: l.host, port: st.bound.port });
      } catch (e) {
        st.connectionMsg = (e as Error).message;
        this.r.log.error('TCP_ADAPTOR', 'listen-failed', { tcpListener: l.name, address: l.address, error: st.connectionMsg });
        return;
      }
      // The address may have gone (or the listener been deleted) while binding.
      if (!this.wanted(st)) await this.syncNow(st);
    } else if (!this.wanted(st) && st.bound) {
      // Stop accepting in every lane; connections already carried keep going (as skrouterd does).
      // Down once no lane listens any more: whoever reads operStatus down finds the port closed.
      const closed = this.lanes.unlisten(l.name, !!st.removed);
      st.bound.close();
      await closed;
      st.bound = undefined;
      st.operStatus = 'down';
      this.r.log.info('TCP_ADAPTOR', 'not-listening', { tcpListener: l.name, address: l.address, reason: st.removed ? 'deleted' : 'address not reachable' });
    } else if (st.removed) {
      this.lanes.forgetListener(l.name);
    }
  }

  /** Binds a tcpListener's socket here and has the lanes listen on it. */
  private async bind(l: TcpListenerEntity): Promise<BoundHandle> {
    const what = `tcpListener "${l.name}"`;
    const bound = await bindHandle(what, l.host, l.port);
    const error = await this.lanes.listen(l, bound.handle);
    if (error) {
      const closed = this.lanes.unlisten(l.name, false);
      bound.close();
      await closed;
      throw new ListenError(what, l.host, l.port, Object.assign(new Error(error), { code: /^E[A-Z]+$/.test(error) ? error : undefined }));
    }
    return bound;
  }

  /** Adds a tcpListener at run time (management CREATE); it listens once its address is reachable. */
  async addListener(l: TcpListenerEntity): Promise<TcpListenerState> {
    this.r.config.tcpListeners.push(l);
    const st: TcpListenerState = { listener: l, operStatus: 'down', connectionMsg: '' };
    this.servers.push(st);
    await this.sync(st);
    return st;
  }

  /** Removes a tcpListener (management DELETE): every lane stops accepting; open flows go on. */
  async removeListener(name: string): Promise<void> {
    const st = this.servers.find((s) => s.listener.name === name);
    if (!st) return;
    st.removed = true;
    this.servers.splice(this.servers.indexOf(st), 1);
    removeNamed(this.r.config.tcpListeners, name);
    await this.sync(st);
  }

  // ---------------------------------------------------------------------------------------
  // tcpConnectors

  /** Adds a tcpConnector at run time: every lane knows it, its address is announced to the network. */
  addConnector(c: TcpConnectorEntity): void {
    this.r.config.tcpConnectors.push(c);
    this.lanes.setConnectors(this.r.config.tcpConnectors);
    this.r.topologyChanged();
  }

  /** Removes a tcpConnector: new flows no longer reach it; open ones go on. */
  removeConnector(name: string): void {
    removeNamed(this.r.config.tcpConnectors, name);
    this.lanes.setConnectors(this.r.config.tcpConnectors);
    this.r.topologyChanged();
  }

  localAddresses(): string[] {
    return [...new Set(this.r.config.tcpConnectors.map((c) => c.address))].sort();
  }

  // ---------------------------------------------------------------------------------------
  // Gauges, summed over lanes

  /** Per-address flow counts at this ingress. */
  get flows(): Map<string, AddressFlows> {
    const out = new Map<string, AddressFlows>();
    for (const st of this.lanes.stats()) {
      for (const [a, f] of Object.entries(st.flows)) {
        const t = out.get(a) ?? { opened: 0, active: 0, refusedNoRoute: 0 };
        t.opened += f.opened;
        t.active += f.active;
        t.refusedNoRoute += f.refusedNoRoute;
        out.set(a, t);
      }
    }
    return out;
  }

  /** Bytes held in flow buffers on this router (sockets, link queues, data connections). */
  bufferedBytes(): number {
    return this.lanes.stats().reduce((n, s) => n + s.bufferedBytes, 0);
  }

  /** Largest buffered total observed (per lane, added up). */
  get maxBuffered(): number {
    return this.lanes.stats().reduce((n, s) => n + s.maxBuffered, 0);
  }

  /** Links attached on data connections. */
  dataLinks(): number {
    return this.lanes.stats().reduce((n, s) => n + s.links, 0);
  }

  /** Live byte and connection totals per tcpListener / tcpConnector name. */
  byteTotals(): ByteTotal[] {
    const stats = this.lanes.stats();
    const sum = (pick: (s: (typeof stats)[number]) => Counters | undefined): Counters => {
      const t: Counters = { bytesIn: 0, bytesOut: 0, opened: 0, active: 0 };
      for (const s of stats) {
        const c = pick(s);
        if (!c) continue;
        t.bytesIn += c.bytesIn;
        t.bytesOut += c.bytesOut;
        t.opened += c.opened;
        t.active += c.active;
      }
      return t;
    };
    return [
      ...this.servers.map((s) => ({ kind: 'tcpListener' as const, name: s.listener.name, address: s.listener.address, ...sum((x) => x.listeners[s.listener.name]) })),
      ...this.r.config.tcpConnectors.map((c) => ({ kind: 'tcpConnector' as const, name: c.name, address: c.address, ...sum((x) => x.connectors[c.name]) })),
    ];
  }

  async close(): Promise<void> {
    for (const st of this.servers) st.removed = true;
    // Stopping the lanes settles a bind that waits for them to listen.
    await this.lanes.stop();
    await Promise.allSettled([...this.syncing.values()]);
    for (const st of this.servers) st.bound?.close();
  }
}
