/**
 * TCP adaptor: each connection accepted by a tcpListener becomes a flow to a router whose
 * tcpConnector serves the same address (cheapest; round-robin among equals); that router
 * opens TCP to host:port. The flows themselves run in the lanes (lane.ts); this is the
 * primary's side: it binds the tcpListeners, keeps the tcpConnectors, feeds the lanes
 * routes, and adds up their gauges. tcpListeners and tcpConnectors can be added and
 * removed while the router runs.
 */
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

export class TcpAdaptor {
  /** tcpListeners: bound here, listened on (and accepted from) by every lane. */
  readonly servers: { listener: TcpListenerEntity; bound: BoundHandle }[] = [];
  readonly lanes: Lanes;
  private connectors: TcpConnectorEntity[];

  constructor(private readonly r: Router, opts: TcpAdaptorOptions, hooks: LanesHooks) {
    this.connectors = [...r.config.tcpConnectors];
    this.lanes = new Lanes(opts.lanes, {
      routerId: r.id, incarnation: r.incarnation, config: r.config, idleTimeoutMs: opts.idleTimeoutMs,
      ...(opts.logFile ? { logFile: opts.logFile } : {}), ...(opts.logEnable ? { logEnable: opts.logEnable } : {}),
    }, r.log, hooks, !opts.laneProcesses);
  }

  async start(): Promise<void> {
    await this.lanes.start();
    for (const l of this.r.config.tcpListeners) await this.addListener(l);
  }

  // ---------------------------------------------------------------------------------------
  // Runtime configuration

  /** Binds a tcpListener's socket and hands it to every lane, which listen on it. */
  async addListener(l: TcpListenerEntity): Promise<number> {
    const what = `tcpListener "${l.name}"`;
    const bound = await bindHandle(what, l.host, l.port);
    const error = await this.lanes.listen(l, bound.handle);
    if (error) {
      this.lanes.unlisten(l.name);
      bound.close();
      throw new ListenError(what, l.host, l.port, Object.assign(new Error(error), { code: /^E[A-Z]+$/.test(error) ? error : undefined }));
    }
    this.servers.push({ listener: l, bound });
    this.r.log.info('TCP_ADAPTOR', 'listening', { tcpListener: l.name, address: l.address, host: l.host, port: bound.port });
    return bound.port;
  }

  /** Stops accepting on a tcpListener (its open connections carry on); false if unknown. */
  async removeListener(name: string): Promise<boolean> {
    const i = this.servers.findIndex((s) => s.listener.name === name);
    if (i < 0) return false;
    const [s] = this.servers.splice(i, 1);
    this.lanes.unlisten(name);
    s!.bound.close();
    this.r.log.info('TCP_ADAPTOR', 'listener-removed', { tcpListener: name });
    return true;
  }

  addConnector(c: TcpConnectorEntity): void {
    this.connectors.push(c);
    this.lanes.setConnectors(this.connectors);
    this.r.topologyChanged();
  }

  /** Forgets a tcpConnector (flows already open to it carry on); false if unknown. */
  removeConnector(name: string): boolean {
    const before = this.connectors.length;
    this.connectors = this.connectors.filter((c) => c.name !== name);
    if (this.connectors.length === before) return false;
    this.lanes.setConnectors(this.connectors);
    this.r.topologyChanged();
    return true;
  }

  tcpConnectors(): readonly TcpConnectorEntity[] {
    return this.connectors;
  }

  localAddresses(): string[] {
    return [...new Set(this.connectors.map((c) => c.address))].sort();
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

  /** Live byte totals per tcpListener / tcpConnector name. */
  byteTotals(): { kind: 'tcpListener' | 'tcpConnector'; name: string; address: string; bytesIn: number; bytesOut: number; active: number; opened: number }[] {
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
      ...this.connectors.map((c) => ({ kind: 'tcpConnector' as const, name: c.name, address: c.address, ...sum((x) => x.connectors[c.name]) })),
    ];
  }

  async close(): Promise<void> {
    await this.lanes.stop();
    for (const s of this.servers) s.bound.close();
  }
}
