/**
 * The primary's side of the lanes (router.workerThreads = N): N lane processes, or lane 0 in
 * this process and lanes 1..N-1 in child processes. A lane process does better than lane 0
 * here: its heap is a fraction of the primary's, and V8 marks the whole heap each time the
 * sockets' read buffers add up to its external-memory limit, several times a second at a
 * few hundred MiB/s. Keeps what every lane must know (tcpListener
 * sockets, tcpConnectors, routes, peers' tokens, data connections to dial) and replays it to
 * a lane that restarts; tracks which lanes have data connections to which neighbours; sums
 * the lanes' gauges.
 *
 * Data connections: a router that has the connector for an inter-router link dials them
 * after the peer told it (over the control link) the ports of its lanes' data listeners and
 * a token. Slot k = 0..max(N, peer's N)-1 joins our lane k mod N to the peer's lane k mod
 * its N, so every lane on both sides has one. A neighbour counts as linked (in link-state)
 * only while every lane has a data connection to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { nodeTsArgv } from '../sys/node-script.ts';
import type { ConnectorEntity, ListenerEntity, SslProfileEntity, TcpConnectorEntity, TcpListenerEntity } from './config-schema.ts';
import { Lane } from './lane.ts';
import type { FromLane, LaneInit, LaneStats, ToLane } from './lane-protocol.ts';
import type { RouteEntry } from './link-state.ts';
import type { RouterLog } from './log.ts';

const LANE_MAIN = fileURLToPath(new URL('./lane-main.ts', import.meta.url));
const REDIAL_MIN_MS = 100;
const REDIAL_MAX_MS = 2000;
const RESPAWN_MS = 500;
const STOP_GRACE_MS = 1500;
const LISTEN_DEADLINE_MS = 30_000;
/** How long an unlisten or a log change waits for the lane processes to say it is done. */
const APPLY_DEADLINE_MS = 5_000;

interface LaneSlot {
  index: number;
  ports?: Record<string, number>;
  pid?: number;
  /** Up data connections per peer. */
  coverage: Map<string, number>;
  stats?: LaneStats;
  local?: Lane;
  child?: ChildProcess;
  booted: boolean;
  queue: [ToLane, unknown][];
}

interface DialPlan {
  peer: string;
  host: string;
  connector: ConnectorEntity;
  sslProfile: SslProfileEntity | undefined;
  ports: number[];
  token: string;
  /** Slot → up, or the redial timer and attempt count while down. */
  slots: Map<number, { up: boolean; attempts: number; timer?: NodeJS.Timeout }>;
}

export interface LanesHooks {
  /** Which lanes have data connections to a peer changed. */
  coverageChanged(peer: string): void;
  /** Every lane reported its data ports (again, after a lane restarted). */
  portsChanged(): void;
}

export class Lanes {
  readonly slots: LaneSlot[] = [];
  /** tcpListener sockets (bound, not listening here) by name. */
  private readonly servers = new Map<string, { entity: TcpListenerEntity; handle: unknown }>();
  private connectors: TcpConnectorEntity[] = [];
  private routes: Extract<ToLane, { t: 'routes' }> = { t: 'routes', tcp: [], hops: [] };
  private readonly tokens = new Map<string, string>();
  private readonly plans = new Map<string, DialPlan>();
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** tcpListeners waiting for the first lane to listen (or fail to). */
  private readonly listening = new Map<string, (error: string | undefined) => void>();
  /** Unlistens and log changes waiting for lane processes to confirm, by sequence number. */
  private readonly applying = new Map<number, { waiting: Set<LaneSlot>; done: () => void }>();
  private seq = 0;

  constructor(
    readonly count: number,
    private init: Omit<LaneInit, 'index'>,
    private readonly log: RouterLog,
    private readonly hooks: LanesHooks,
    /** Lane 0 runs in this process (else every lane is a child process). */
    readonly inProcess = true,
  ) {
    this.connectors = [...init.config.tcpConnectors];
  }

  /**
   * Starts lane 0 here when it runs here (resolves once its data listeners are bound) and
   * forks the others, which come up on their own.
   */
  async start(): Promise<void> {
    if (!this.inProcess) {
      for (let i = 0; i < this.count; i++) this.spawn(i);
      return;
    }
    const slot = this.newSlot(0);
    slot.local = new Lane({ ...this.init, index: 0 }, this.log, (m) => this.onMessage(slot, m));
    slot.booted = true;
    await slot.local.start();
    for (let i = 1; i < this.count; i++) this.spawn(i);
  }

  private newSlot(index: number): LaneSlot {
    const slot: LaneSlot = { index, coverage: new Map(), booted: false, queue: [] };
    this.slots[index] = slot;
    return slot;
  }

  private spawn(index: number): void {
    const slot = this.newSlot(index);
    // From its prebuilt bundle when fresh (tens of ms to start), else through tsx.
    const [node, ...args] = nodeTsArgv(LANE_MAIN, []);
    const child = spawn(node!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    slot.child = child;
    slot.pid = child.pid;
    child.on('message', (m: FromLane) => {
      if (m.t !== 'boot') return this.onMessage(slot, m);
      slot.booted = true;
      this.sendNow(slot, { t: 'init', init: { ...this.init, index } });
      this.replay(slot);
      for (const [m2, h] of slot.queue.splice(0)) this.sendNow(slot, m2, h);
    });
    child.on('error', (e) => this.log.warn('ROUTER', 'lane-error', { lane: index, error: e.message }));
    child.once('exit', (code, signal) => {
      if (this.slots[index] !== slot) return;
      this.dropSlot(slot);
      if (this.stopping) return;
      this.log.error('ROUTER', 'lane-exited', { lane: index, pid: child.pid, code, signal });
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopping) this.spawn(index);
      }, RESPAWN_MS);
      this.timers.add(t);
    });
  }

  /** A lane is gone: its data connections are, too. */
  private dropSlot(slot: LaneSlot): void {
    for (const [seq, u] of this.applying) this.acked(seq, u, slot);
    const peers = [...slot.coverage.keys()];
    slot.coverage.clear();
    slot.ports = undefined;
    for (const peer of peers) this.hooks.coverageChanged(peer);
    for (const plan of this.plans.values()) {
      for (const [k, st] of plan.slots) if (k % this.count === slot.index && st.up) this.slotDown(plan, k);
    }
  }

  /** What a (re)started lane must know. */
  private replay(slot: LaneSlot): void {
    for (const s of this.servers.values()) this.sendNow(slot, { t: 'listen', entity: s.entity }, s.handle);
    this.sendNow(slot, { t: 'connectors', list: this.connectors });
    this.sendNow(slot, this.routes);
    for (const [peer, token] of this.tokens) this.sendNow(slot, { t: 'peer', peer, token });
  }

  /**
   * A log UPDATE: lane processes log at `enable` to `logFile` from now on (lane 0 here shares
   * the router's log); resolves once they all do.
   */
  reconfigureLog(enable: string, logFile: string | undefined): Promise<void> {
    const { logFile: _old, ...rest } = this.init;
    this.init = { ...rest, logEnable: enable, ...(logFile ? { logFile } : {}) };
    return this.applyEverywhere((seq) => ({ t: 'log', enable, logFile, seq }), 'log-change-unconfirmed', { enable });
  }

  private sendNow(slot: LaneSlot, m: ToLane, handle?: unknown): void {
    if (slot.local) return slot.local.handle(m, handle);
    if (!slot.child?.connected) return;
    // A raw TCP handle travels as such ("net.Native"); the typings only name wrapped ones.
    if (handle) slot.child.send(m, handle as net.Server);
    else slot.child.send(m);
  }

  /** To a lane; before it boots, only instructions (what it must know is replayed at boot). */
  private send(slot: LaneSlot, m: ToLane, handle?: unknown): void {
    if (slot.booted) this.sendNow(slot, m, handle);
    else if (m.t === 'dial') slot.queue.push([m, handle]);
  }

  private broadcast(m: ToLane, handle?: unknown): void {
    for (const slot of this.slots) this.send(slot, m, handle);
  }

  private onMessage(slot: LaneSlot, m: FromLane): void {
    switch (m.t) {
      case 'ready':
        slot.ports = m.ports;
        slot.pid = m.pid;
        if (this.slots.every((s) => s.ports)) this.hooks.portsChanged();
        return;
      case 'data': {
        const n = (slot.coverage.get(m.peer) ?? 0) + (m.up ? 1 : -1);
        if (n > 0) slot.coverage.set(m.peer, n);
        else slot.coverage.delete(m.peer);
        if (m.slot !== null) {
          const plan = this.plans.get(m.peer);
          if (plan) {
            if (m.up) plan.slots.set(m.slot, { up: true, attempts: 0 });
            else this.slotDown(plan, m.slot, m.error);
          }
        }
        this.hooks.coverageChanged(m.peer);
        return;
      }
      case 'stats':
        slot.stats = m.stats;
        return;
      case 'listening': {
        const settle = this.listening.get(m.name);
        this.listening.delete(m.name);
        settle?.(m.error);
        return;
      }
      case 'applied': {
        const u = this.applying.get(m.seq);
        if (u) this.acked(m.seq, u, slot);
        return;
      }
      case 'boot':
        return;
    }
  }

  // ---------------------------------------------------------------------------------------
  // What the lanes serve

  /**
   * Lanes listen on a tcpListener's socket; resolves when the first does, with the errno
   * code if it could not (the address was free to bind but not to listen on: EADDRINUSE).
   */
  listen(entity: TcpListenerEntity, handle: unknown): Promise<string | undefined> {
    const first = new Promise<string | undefined>((resolve) => {
      const t = setTimeout(() => {
        this.listening.delete(entity.name);
        resolve(`no lane listened within ${LISTEN_DEADLINE_MS} ms`);
      }, LISTEN_DEADLINE_MS);
      this.listening.set(entity.name, (error) => {
        clearTimeout(t);
        resolve(error);
      });
    });
    this.servers.set(entity.name, { entity, handle });
    this.broadcast({ t: 'listen', entity }, handle);
    return first;
  }

  /**
   * Lanes stop listening on a tcpListener's socket (the flows they carry go on); `forget`:
   * the tcpListener is deleted, its counters go too.
   */
  unlisten(name: string, forget: boolean): Promise<void> {
    this.servers.delete(name);
    const waiting = this.listening.get(name);
    this.listening.delete(name);
    waiting?.('no longer wanted');
    // The port is closed when this resolves (lane 0 in this process closes it before send returns).
    return this.applyEverywhere((seq) => ({ t: 'unlisten', name, forget, seq }), 'unlisten-unconfirmed', { tcpListener: name });
  }

  /**
   * Sends `message(seq)` to every lane; resolves once every lane process that runs says it
   * applied it (or at a deadline, with a warning naming `what`).
   */
  private applyEverywhere(message: (seq: number) => ToLane, unconfirmed: string, what: Record<string, unknown>): Promise<void> {
    const seq = ++this.seq;
    const children = this.slots.filter((s) => s.child && s.booted && s.child.connected);
    const done = new Promise<void>((resolve) => {
      if (children.length === 0) return resolve();
      const t = setTimeout(() => {
        this.applying.delete(seq);
        this.log.warn('TCP_ADAPTOR', unconfirmed, { ...what, deadlineMs: APPLY_DEADLINE_MS });
        resolve();
      }, APPLY_DEADLINE_MS);
      this.applying.set(seq, { waiting: new Set(children), done: () => (clearTimeout(t), resolve()) });
    });
    this.broadcast(message(seq));
    return done;
  }

  private acked(seq: number, u: { waiting: Set<LaneSlot>; done: () => void }, slot: LaneSlot): void {
    u.waiting.delete(slot);
    if (u.waiting.size > 0) return;
    this.applying.delete(seq);
    u.done();
  }

  /** A deleted tcpListener that was not listening: its counters go. */
  forgetListener(name: string): void {
    this.broadcast({ t: 'unlisten', name, forget: true, seq: 0 });
  }

  /**
   * An inter-router or edge listener added at run time: every lane opens a data listener
   * beside it and reports its ports again (a lane that starts later finds it in the config).
   */
  addDataListener(listener: ListenerEntity, sslProfile: SslProfileEntity | undefined): void {
    this.broadcast({ t: 'dataListen', listener, sslProfile });
  }

  removeDataListener(name: string): void {
    this.broadcast({ t: 'dataUnlisten', name });
  }

  setConnectors(list: TcpConnectorEntity[]): void {
    this.connectors = [...list];
    this.broadcast({ t: 'connectors', list: this.connectors });
  }

  setRoutes(tcp: [string, RouteEntry[]][], hops: [string, string][]): void {
    this.routes = { t: 'routes', tcp, hops };
    this.broadcast(this.routes);
  }

  // ---------------------------------------------------------------------------------------
  // Data connections

  /** The data ports of every lane beside `listener`, by lane, once all lanes have them. */
  portsFor(listener: string): number[] | undefined {
    const ports = this.slots.map((s) => s.ports?.[listener]);
    return ports.length === this.count && ports.every((p) => p !== undefined) ? (ports as number[]) : undefined;
  }

  /** The token `peer` must present on data connections to us (made once per peer). */
  tokenFor(peer: string): string {
    let t = this.tokens.get(peer);
    if (!t) {
      t = randomBytes(16).toString('hex');
      this.tokens.set(peer, t);
      this.broadcast({ t: 'peer', peer, token: t });
    }
    return t;
  }

  /** The peer told us its lanes' data ports: connect every slot that is not up. */
  dial(peer: string, connector: ConnectorEntity, sslProfile: SslProfileEntity | undefined, ports: number[], token: string): void {
    let plan = this.plans.get(peer);
    if (!plan) {
      plan = { peer, host: connector.host, connector, sslProfile, ports, token, slots: new Map() };
      this.plans.set(peer, plan);
    }
    Object.assign(plan, { host: connector.host, connector, sslProfile, ports, token });
    const n = Math.max(this.count, ports.length);
    for (let k = 0; k < n; k++) {
      const st = plan.slots.get(k);
      if (st?.up) continue;
      if (st?.timer) clearTimeout(st.timer);
      this.dialSlot(plan, k);
    }
  }

  private dialSlot(plan: DialPlan, k: number): void {
    const st = plan.slots.get(k) ?? { up: false, attempts: 0 };
    st.attempts++;
    st.timer = undefined;
    plan.slots.set(k, st);
    const port = plan.ports[k % plan.ports.length]!;
    this.send(this.slots[k % this.count]!, {
      t: 'dial', peer: plan.peer, slot: k, host: plan.host, port, connector: plan.connector, sslProfile: plan.sslProfile, token: plan.token,
    });
  }

  private slotDown(plan: DialPlan, k: number, error?: string): void {
    const st = plan.slots.get(k) ?? { up: false, attempts: 0 };
    st.up = false;
    plan.slots.set(k, st);
    if (this.stopping || this.plans.get(plan.peer) !== plan || st.timer) return;
    if (st.attempts > 3) this.log.warn('ROUTER', 'data-connection-retry', { peer: plan.peer, slot: k, attempts: st.attempts, error });
    const delay = Math.min(REDIAL_MAX_MS, REDIAL_MIN_MS * 2 ** Math.min(st.attempts, 10));
    st.timer = setTimeout(() => {
      this.timers.delete(st.timer!);
      if (this.plans.get(plan.peer) === plan && !st.up) this.dialSlot(plan, k);
    }, delay);
    this.timers.add(st.timer);
  }

  /** The inter-router link to `peer` is gone: close its data connections, forget its token. */
  dropPeer(peer: string): void {
    const plan = this.plans.get(peer);
    if (plan) for (const st of plan.slots.values()) if (st.timer) clearTimeout(st.timer);
    this.plans.delete(peer);
    this.tokens.delete(peer);
    this.broadcast({ t: 'unpeer', peer });
  }

  /** Every lane has a data connection to `peer`. */
  dataReady(peer: string): boolean {
    return this.slots.length === this.count && this.slots.every((s) => (s.coverage.get(peer) ?? 0) > 0);
  }

  // ---------------------------------------------------------------------------------------
  // Gauges

  /** Each lane's stats: lane 0's now, the others' as last reported. */
  stats(): LaneStats[] {
    return this.slots.flatMap((s) => (s.local ? [s.local.stats()] : s.stats ? [s.stats] : []));
  }

  state(): { index: number; pid: number | undefined; ready: boolean; peers: string[] }[] {
    return this.slots.map((s) => ({ index: s.index, pid: s.pid, ready: s.ports !== undefined, peers: [...s.coverage.keys()].sort() }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const settle of this.listening.values()) settle('router stopping');
    this.listening.clear();
    for (const u of this.applying.values()) u.done();
    this.applying.clear();
    for (const t of this.timers) clearTimeout(t);
    for (const plan of this.plans.values()) for (const st of plan.slots.values()) if (st.timer) clearTimeout(st.timer);
    await Promise.all(this.slots.map(async (slot) => {
      if (slot.local) return slot.local.stop();
      const child = slot.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        if (child.connected) child.send({ t: 'stop' } satisfies ToLane);
        else child.kill('SIGTERM');
      });
    }));
  }
}
