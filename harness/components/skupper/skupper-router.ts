import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRouterConfig } from '../../router/config.ts';
import { ManagementClient } from '../../router/management/client.ts';
import { Daemon } from '../../sys/daemon.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';
import type { ConfigChange, Entity } from './config-diff.ts';
import { ManagementBridge } from './management-bridge.ts';
import { routerKind, skrouterdOnPath, type RouterKind } from './router-kind.ts';
import { NODE_ATTRIBUTES, readiness, TCP_LISTENER_ATTRIBUTES, type ReadinessExpectation } from './router-readiness.ts';
import { AMQP_PORT } from './site-config.ts';

const ROUTER_MAIN = fileURLToPath(new URL('../../router/main.ts', import.meta.url));
export const ROUTER_READY_TIMEOUT_MS = 30_000;
/** How long one management call may take before it counts as failed. */
export const MANAGEMENT_CALL_TIMEOUT_MS = 5_000;

export interface SkupperRouterOptions {
  /** The site (router id, its cluster's name). */
  id: string;
  /** The namespace of the cluster's first worker, where the router runs. */
  netns: string;
  dir: string;
  /** The config it starts with, in skrouterd's JSON format. */
  config: Entity[];
}

/** Files of a router in the run folder. */
export function routerFiles(dir: string, id: string): { config: string; log: string; out: string; socket: string; bridgeOut: string } {
  return {
    config: join(dir, `${id}.json`),
    // The router's own log (its log entity's outputFile) and its stdout/stderr: both end in .log,
    // so a failed test carries them (harness/testing/fixture.ts).
    log: join(dir, `${id}.log`),
    out: join(dir, `${id}.out.log`),
    socket: join(dir, `${id}.amqp.sock`),
    bridgeOut: join(dir, `${id}.bridge.out`),
  };
}

/**
 * A skupper router for one cluster: skrouterd or the built-in router, started on the
 * cluster's first worker with a config file in the run folder (kept current: a restarted
 * router reads it), then read and changed at run time through AMQP management, as skupper
 * does. Ready when it reaches the routers and addresses it should, as its management
 * agent reports them.
 */
export class SkupperRouter {
  private client: Promise<ManagementClient> | undefined;
  private stopped = false;

  private constructor(
    readonly options: SkupperRouterOptions,
    readonly kind: RouterKind,
    readonly files: ReturnType<typeof routerFiles>,
    private current: Daemon,
    private readonly bridge: ManagementBridge,
    private config: Entity[],
    private readonly spawn: () => Daemon,
  ) {}

  static async start(ledger: Ledger, options: SkupperRouterOptions): Promise<SkupperRouter> {
    const kind = routerKind();
    // The generated config is checked by the built-in router's schema (skrouterd's attribute names) before anything runs.
    parseRouterConfig(options.config, `generated router config of ${options.id}`);
    const files = routerFiles(options.dir, options.id);
    writeFileSync(files.config, JSON.stringify(options.config, null, 2));
    const argv = kind === 'skrouterd' ? [skrouterdOnPath()!, '-c', files.config] : nodeTsArgv(ROUTER_MAIN, ['-c', files.config]);
    const spawn = () => Daemon.start(ledger, { name: `router ${options.id} (${kind})`, netns: options.netns, logFile: files.out, argv });
    const daemon = spawn();
    try {
      const bridge = await ManagementBridge.start(ledger, { name: `router ${options.id}`, netns: options.netns, socket: files.socket, port: AMQP_PORT, logFile: files.bridgeOut });
      const router = new SkupperRouter(options, kind, files, daemon, bridge, [...options.config], spawn);
      // Connect while it boots: the first change or probe finds the client ready (errors surface there).
      router.management().catch(() => undefined);
      return router;
    } catch (e) {
      await daemon.stop();
      throw e;
    }
  }

  get id(): string {
    return this.options.id;
  }

  get daemon(): Daemon {
    return this.current;
  }

  get configFile(): string {
    return this.files.config;
  }

  /** The config the router has now (what it started with plus the changes applied since). */
  currentConfig(): Entity[] {
    return [...this.config];
  }

  /**
   * A management client connected to this router, (re)connecting when there is none or
   * it was lost; waits while the router starts, fails at once if the router has exited.
   */
  async management(timeoutMs = ROUTER_READY_TIMEOUT_MS): Promise<ManagementClient> {
    const have = await this.client?.catch(() => undefined);
    if (have?.open) return have;
    this.client = waitFor(
      `router ${this.id} to answer AMQP management`,
      async () => {
        if (this.stopped) throw new WaitAbort(new Error(`router ${this.id} was stopped`));
        if (!this.daemon.running) throw new WaitAbort(this.daemon.error('exited'));
        return ready(await ManagementClient.connect({ path: this.files.socket, target: `router ${this.id}` }, MANAGEMENT_CALL_TIMEOUT_MS));
      },
      { timeoutMs, intervalMs: 20, maxIntervalMs: 100 },
    ).then(async (c) => {
      if (this.stopped) await c.close();
      return c;
    });
    return this.client;
  }

  /** Every entity of `type` (skrouterd's names) with the attributes asked for. */
  async query(type: string, attributeNames: readonly string[] = []): Promise<Record<string, unknown>[]> {
    return (await this.management()).query(type, attributeNames, MANAGEMENT_CALL_TIMEOUT_MS);
  }

  async read(type: string, name: string): Promise<Record<string, unknown>> {
    return (await this.management()).read(type, name, MANAGEMENT_CALL_TIMEOUT_MS);
  }

  /** Applies changes with management CREATE/DELETE, one after the other, and records them in the config file. */
  async apply(changes: readonly ConfigChange[]): Promise<void> {
    const m = await this.management();
    for (const c of changes) {
      if (c.op === 'DELETE') {
        await m.delete(c.type, c.name, MANAGEMENT_CALL_TIMEOUT_MS);
        this.config = this.config.filter(([t, a]) => !(t === c.type && a['name'] === c.name));
      } else {
        await m.create(c.type, c.name, c.attributes ?? {}, MANAGEMENT_CALL_TIMEOUT_MS);
        this.config.push([c.type, { name: c.name, ...c.attributes }]);
      }
    }
    writeFileSync(this.files.config, JSON.stringify(this.config, null, 2));
  }

  /** Waits until the router reaches `want.peers` and its tcpListeners for `want.addresses` are up. */
  async waitReady(want: ReadinessExpectation, timeoutMs = ROUTER_READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await waitFor(
      `router ${this.id} to reach [${want.peers.join(', ')}] and open its tcpListeners for [${want.addresses.join(', ')}]`,
      async () => {
        if (!this.daemon.running) throw new WaitAbort(this.daemon.error('exited before it was ready'));
        const m = await this.management(Math.max(1, deadline - Date.now()));
        const [nodes, listeners] = await Promise.all([
          want.peers.length ? m.query('router.node', NODE_ATTRIBUTES, MANAGEMENT_CALL_TIMEOUT_MS) : [],
          want.addresses.length ? m.query('tcpListener', TCP_LISTENER_ATTRIBUTES, MANAGEMENT_CALL_TIMEOUT_MS) : [],
        ]);
        const r = readiness(nodes, listeners, want);
        return r.ready ? ready(undefined) : notYet(r.seen);
      },
      { timeoutMs, intervalMs: 20, maxIntervalMs: 100 },
    ).catch((e: Error) => {
      throw e.name === 'TimeoutError' ? this.daemon.error(e.message) : e;
    });
  }

  /** SIGKILL, for fault injection; `restart()` brings it back with its current config. */
  async kill(): Promise<void> {
    await this.current.kill('SIGKILL');
  }

  restart(): void {
    this.current = this.spawn();
  }

  /** Closes this process's management connection; the router keeps running (a detached run). */
  async disconnect(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    await pending?.then((c) => c.close(), () => undefined);
  }

  /** Stops the router and its bridge, then disconnects (a connection still being made closes when it is). Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.current.stop(), this.bridge.stop()]);
    await this.disconnect();
  }
}
