/**
 * The router: validated config → listeners, connectors, routing protocol, TCP adaptor,
 * AMQP service and http endpoints. `startRouter` returns a handle; `close()` stops it.
 */
import type { Socket } from 'node:net';
import rhea from 'rhea';
import type { Container } from 'rhea';
import { HarnessError } from '../sys/errors.ts';
import { AmqpService } from './amqp-service.ts';
import { ConnectionRegistry } from './connections.ts';
import { parseRouterConfig, type RouterConfig } from './config.ts';
import type { ListenerEntity, SslProfileEntity } from './config-schema.ts';
import { listenSockets, type BoundServer } from './listen.ts';
import { loadSslProfile, sslProfileOf } from './tls.ts';
import { HttpService } from './http-service.ts';
import { DEFAULT_HELLO_MAX_AGE_S, InterRouter, type ConnectorState, type Neighbor } from './inter-router.ts';
import { ManagementAgent } from './management/agent.ts';
import { computeRoutes, destinations, LinkStateDb, type RouteEntry, type RouterRecord } from './link-state.ts';
import { renderMetrics } from './metrics.ts';
import { parseEnable, RouterLog, sinkOf, type LogSink } from './log.ts';
import { TcpAdaptor } from './tcp-adaptor.ts';

export interface RouterState {
  id: string;
  mode: RouterConfig['router']['mode'];
  incarnation: number;
  links: { peer: string; role: 'inter-router' | 'edge'; cost: number; direction: 'in' | 'out'; via: string; upSinceMs: number }[];
  connectors: ConnectorState[];
  routers: { id: string; nextHop: string; cost: number }[];
  addresses: { address: string; kind: 'tcp' | 'amqp'; router: string; nextHop: string; cost: number }[];
  listeners: { name: string; role: string; host: string; port: number; http: boolean }[];
  /** `port` is the bound port while the listener is up (its address reachable). */
  tcpListeners: { name: string; address: string; host: string; port?: number; operStatus: 'up' | 'down' }[];
  flows: { active: number; bufferedBytes: number };
  /** The data-plane lanes, their processes, and the neighbours each has data connections to. */
  lanes: { index: number; pid: number | undefined; ready: boolean; peers: string[] }[];
}

export interface StartRouterOptions {
  /** Log file; default: the `log` entity's outputFile, else stderr. */
  logFile?: string;
  /** Override the log level ("info+", "debug+", "none"). */
  logEnable?: string;
  /** Source name for validation errors when `config` is raw JSON. */
  source?: string;
  /** Lanes when the config's router entity sets no workerThreads (default 1). */
  defaultWorkerThreads?: number;
  /** Run every lane in a child process (the router program does); default: lane 0 runs in this process. */
  laneProcesses?: boolean;
}

/** What startRouter decided (its defaults): how many lanes, and where they run. */
export interface RouterOptions {
  /** Number of lanes (data-plane processes). */
  workerThreads: number;
  /** Every lane in a child process (else lane 0 runs in this one). */
  laneProcesses: boolean;
  /** Where lane processes log (a file; stderr when unset) and at which level. */
  logFile?: string;
  logEnable?: string;
}

export class Router {
  readonly id: string;
  readonly mode: RouterConfig['router']['mode'];
  readonly incarnation = Date.now();
  /**
   * Idle timeout of inter-router control links and data connections: a peer silent for twice
   * this long (helloMaxAgeSeconds) is declared dead.
   */
  readonly idleTimeoutMs: number;
  readonly container: Container;
  readonly db = new LinkStateDb();
  routes = new Map<string, RouteEntry>();
  readonly inter: InterRouter;
  readonly tcp: TcpAdaptor;
  readonly amqp: AmqpService;
  readonly http: HttpService;
  readonly connections = new ConnectionRegistry();
  readonly management = new ManagementAgent(this);
  private seq = 0;
  private pending: NodeJS.Immediate | undefined;
  /** Where the log goes now (undefined: stderr). */
  private logFile: string | undefined;

  constructor(readonly config: RouterConfig, readonly log: RouterLog, opts: RouterOptions) {
    this.id = config.router.id;
    this.logFile = opts.logFile;
    this.mode = config.router.mode;
    this.idleTimeoutMs = (config.router.helloMaxAgeSeconds ?? DEFAULT_HELLO_MAX_AGE_S) * 500;
    this.container = rhea.create_container({ id: this.id });
    this.container.on('error', (e: unknown) => this.log.warn('ROUTER', 'amqp-error', { error: String(e) }));
    this.inter = new InterRouter(this);
    this.tcp = new TcpAdaptor(this, {
      lanes: opts.workerThreads,
      laneProcesses: opts.laneProcesses,
      idleTimeoutMs: this.idleTimeoutMs,
      ...(opts.logFile ? { logFile: opts.logFile } : {}),
      ...(opts.logEnable ? { logEnable: opts.logEnable } : {}),
    }, {
      coverageChanged: (peer) => {
        if (this.inter.neighbors.has(peer)) this.topologyChanged();
      },
      portsChanged: () => this.inter.announceLanesAll(),
    });
    this.amqp = new AmqpService(this);
    this.http = new HttpService(this);
  }

  /**
   * A management UPDATE of the DEFAULT log: from now on this process and its lanes log at
   * `enable` ("debug+", "none", ...), to `outputFile` when one is given ("stderr" for stderr).
   * Resolves once every lane process does.
   */
  reconfigureLog(enable: string | undefined, outputFile?: string): Promise<void> {
    if (outputFile !== undefined) this.logFile = outputFile === 'stderr' ? undefined : outputFile;
    const level = parseEnable(enable);
    this.log.reconfigure(level, sinkOf(level, this.logFile));
    return this.tcp.lanes.reconfigureLog(enable ?? 'info', this.logFile);
  }

  /**
   * Binds every AMQP listener `select` picks (TLS when it names an sslProfile, asking for
   * the peer's certificate when it authenticates peers) and logs it; `accept` gets each socket.
   */
  async openListeners(
    select: (l: ListenerEntity) => boolean,
    accept: (socket: Socket, l: ListenerEntity) => void,
  ): Promise<{ listener: ListenerEntity; bound: BoundServer }[]> {
    const out: { listener: ListenerEntity; bound: BoundServer }[] = [];
    for (const l of this.config.listeners) {
      if (l.http || !select(l)) continue;
      const profile = l.sslProfile ? loadSslProfile(this.sslProfile(l.sslProfile)) : undefined;
      const bound = await listenSockets(
        `listener "${l.name}"`, l.host, l.port,
        profile ? { ...profile, requestCert: l.authenticatePeer } : undefined,
        (s) => accept(s, l),
        (err) => this.log.warn('ROUTER', 'tls-handshake-failed', { listener: l.name, error: err.message }),
      );
      out.push({ listener: l, bound });
      this.log.info('ROUTER', 'listening', { listener: l.name, role: l.role, host: l.host, port: bound.port, tls: !!profile });
    }
    return out;
  }

  sslProfile(name: string): SslProfileEntity {
    return sslProfileOf(this.config.sslProfiles, name);
  }

  /**
   * The neighbours this router is linked to: those with a control link and a data
   * connection in every lane (flows need one). Routing, state() and management all use this.
   */
  linkedNeighbors(): Neighbor[] {
    return [...this.inter.neighbors.values()].filter((n) => this.tcp.lanes.dataReady(n.id));
  }

  private ownRecord(): RouterRecord {
    const links: Record<string, number> = {};
    for (const n of this.linkedNeighbors()) links[n.id] = n.cost;
    return { id: this.id, mode: this.mode, incarnation: this.incarnation, seq: ++this.seq, links, tcp: this.tcp.localAddresses(), amqp: this.amqp.addresses() };
  }

  /** Links or local addresses changed: publish a new record (batched per tick). */
  topologyChanged(): void {
    if (this.pending) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      const rec = this.ownRecord();
      this.db.accept(rec);
      this.recompute();
      this.inter.flood(rec);
    });
  }

  onRecord(rec: RouterRecord, from: string): void {
    if (rec.id === this.id) {
      // Our own record coming back round a ring is ignored; one from a previous run of a
      // router with our id is superseded by publishing ours again (newer incarnation).
      if (rec.incarnation !== this.incarnation) this.topologyChanged();
      return;
    }
    if (!this.db.accept(rec)) return;
    this.recompute();
    this.inter.flood(rec, from);
  }

  private recompute(): void {
    this.routes = computeRoutes(this.id, this.db);
    const addresses = new Set(this.db.all().flatMap((rec) => rec.tcp));
    this.tcp.lanes.setRoutes(
      [...addresses].map((a) => [a, this.destinations(a, 'tcp')]),
      [...this.routes.values()].map((r) => [r.router, r.nextHop]),
    );
    void this.tcp.syncListeners();
  }

  destinations(address: string, kind: 'tcp' | 'amqp'): RouteEntry[] {
    return destinations(address, kind, this.routes, this.db);
  }

  state(): RouterState {
    const addresses: RouterState['addresses'] = [];
    for (const rec of this.db.all()) {
      const route = this.routes.get(rec.id);
      if (!route) continue;
      for (const kind of ['tcp', 'amqp'] as const) {
        for (const address of rec[kind]) addresses.push({ address, kind, router: rec.id, nextHop: route.nextHop, cost: route.cost });
      }
    }
    addresses.sort((a, b) => a.address.localeCompare(b.address) || a.cost - b.cost || a.router.localeCompare(b.router));
    const now = Date.now();
    return {
      id: this.id,
      mode: this.mode,
      incarnation: this.incarnation,
      // A link is up once it can carry flows: its control link, and a data connection in every lane.
      links: this.linkedNeighbors().map((n) => ({ peer: n.id, role: n.role, cost: n.cost, direction: n.direction, via: n.via, upSinceMs: now - n.since })),
      connectors: this.inter.connectors.map((c) => ({ ...c })),
      routers: [...this.routes.values()].filter((r) => r.router !== this.id).map((r) => ({ id: r.router, nextHop: r.nextHop, cost: r.cost })),
      addresses,
      listeners: [
        ...this.inter.servers.map((s) => ({ name: s.listener.name, role: s.listener.role, host: s.listener.host, port: s.bound.port, http: false })),
        ...this.amqp.servers.map((s) => ({ name: s.listener.name, role: s.listener.role, host: s.listener.host, port: s.bound.port, http: false })),
        ...this.http.servers.map((s) => ({ name: s.listener.name, role: s.listener.role, host: s.listener.host, port: s.port, http: true })),
      ],
      tcpListeners: this.tcp.servers.map((s) => ({ name: s.listener.name, address: s.listener.address, host: s.listener.host, port: s.bound?.port, operStatus: s.operStatus })),
      flows: { active: [...this.tcp.flows.values()].reduce((n, f) => n + f.active, 0), bufferedBytes: this.tcp.bufferedBytes() },
      lanes: this.tcp.lanes.state(),
    };
  }
}

export interface RouterHandle extends AsyncDisposable {
  readonly id: string;
  readonly router: Router;
  state(): RouterState;
  metrics(): string;
  /** Bound port of a listener, tcpListener (while up) or http listener, by name. */
  port(name: string): number;
  close(): Promise<void>;
}

function sinkFor(config: RouterConfig, opts: StartRouterOptions): { sink: LogSink; enable: string | undefined; file: string | undefined } {
  const entity = config.logs.find((l) => l.module === 'DEFAULT') ?? config.logs[0];
  const given = opts.logFile ?? config.logs.find((l) => l.outputFile)?.outputFile;
  const file = given && given !== 'stderr' ? given : undefined;
  const enable = opts.logEnable ?? entity?.enable;
  return { sink: sinkOf(parseEnable(enable), file), enable, file };
}

/** Validates `config` (raw skrouterd JSON or parsed), starts everything, resolves when listening. */
export async function startRouter(config: RouterConfig | unknown[], opts: StartRouterOptions = {}): Promise<RouterHandle> {
  const cfg = Array.isArray(config) ? parseRouterConfig(config, opts.source ?? 'startRouter config') : config;
  const { sink, enable, file } = sinkFor(cfg, opts);
  const log = new RouterLog(sink, parseEnable(enable), { router: cfg.router.id });
  if (cfg.notImplemented.length) {
    log.warn('ROUTER', 'not-implemented', { attributes: cfg.notImplemented, note: "in skrouterd's schema, accepted, ignored by this router" });
  }
  const r = new Router(cfg, log, {
    workerThreads: cfg.router.workerThreads ?? opts.defaultWorkerThreads ?? 1,
    laneProcesses: opts.laneProcesses ?? false,
    ...(file ? { logFile: file } : {}),
    logEnable: enable ?? 'info',
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await Promise.allSettled([r.http.close(), r.tcp.close(), r.amqp.close(), r.inter.close()]);
      log.info('ROUTER', 'stopped');
      await log.close();
    })());
  try {
    r.topologyChanged();
    await r.http.start();
    await r.amqp.start();
    await r.tcp.start();
    await r.inter.start();
  } catch (e) {
    await close();
    throw e;
  }
  log.info('ROUTER', 'started', { mode: r.mode, pid: process.pid, workerThreads: r.tcp.lanes.count });
  return {
    id: r.id,
    router: r,
    state: () => r.state(),
    metrics: () => renderMetrics(r),
    port(name: string) {
      const st = r.state();
      const l = st.listeners.find((x) => x.name === name) ?? st.tcpListeners.find((x) => x.name === name);
      if (!l) throw new HarnessError(`router ${r.id} has no listener named ${name}`);
      if (l.port === undefined) throw new HarnessError(`router ${r.id}: tcpListener ${name} is not listening (its address is not reachable)`);
      return l.port;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
