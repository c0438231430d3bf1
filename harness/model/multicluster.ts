import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SitePki, type SiteCertificate } from '../components/skupper/pki.ts';
import { configChanges, type ConfigChange } from '../components/skupper/config-diff.ts';
import { routerKind } from '../components/skupper/router-kind.ts';
import { routerFiles, SkupperRouter } from '../components/skupper/skupper-router.ts';
import { AMQP_PORT, HTTP_PORT, INTER_ROUTER_PORT, linkConnectorName, peerOfLinkConnector, siteConfig, type SiteSpec } from '../components/skupper/site-config.ts';
import type { RestartableProcess } from '../components/faults/index.ts';
import { HarnessError, ValidationError } from '../sys/errors.ts';
import { waitTcpListening } from '../sys/wait-listening.ts';
import { zodIssues } from '../sys/validation.ts';
import type { Pod } from './pod.ts';
import type { Simulation } from './simulation.ts';

/** A service of one cluster reachable from others through the routers (skupper expose). */
export interface CrossClusterService {
  /** Routing address, `name:port` as skupper names it (backend:8080). */
  address: string;
  from: string;
  host: string;
  port: number;
  to: readonly string[];
  /** The port the routers of the consuming clusters listen on (the deck's 1028). */
  listenPort: number;
}

const RESERVED = new Set([INTER_ROUTER_PORT, AMQP_PORT, HTTP_PORT]);
const port = z.number().int().min(1).max(65_535);
const ExposeSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label').max(40),
    port,
    to: z.array(z.string()).min(1, 'must name at least one cluster'),
    listenPort: port.refine((p) => !RESERVED.has(p), `is a port the router itself uses (${[...RESERVED].join(', ')})`),
  })
  .strict();

export interface ExposeAcrossOptions {
  /** Clusters that consume the service. */
  to: readonly string[];
  /** Port the consuming clusters' routers listen on. */
  port: number;
}

/**
 * Multi-cluster networking as knetsim has it: a skupper router on each linked cluster's
 * first worker, inter-router links between clusters, and services exposed across them.
 * A cluster's router starts once, when the cluster is first linked or exposed to; every
 * later change is applied to the running routers with AMQP management CREATE/DELETE (as
 * skupper does), listeners before the connectors that dial them, and ends when every link
 * is up and every address reachable, observed through the routers' management agents.
 * Each router's config file in the run folder is kept current (a restarted router reads it).
 */
export class MultiCluster {
  private readonly links: { listener: string; connector: string; cost: number }[] = [];
  private readonly services: CrossClusterService[] = [];
  private readonly routers = new Map<string, SkupperRouter>();
  /** Mutual TLS on every inter-router link (decided by the first link), with the run's certificates. */
  private tls: boolean | undefined;
  private pki: SitePki | undefined;
  private readonly certs = new Map<string, SiteCertificate>();
  /** The apply in progress (or the last one), and the one waiting to start that new changes join. */
  private applying: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(private readonly sim: Simulation) {}

  /** Links two clusters: `b`'s router connects to `a`'s inter-router listener (the deck's link1). */
  async link(a: string, b: string, opts: { cost?: number; tls?: boolean } = {}): Promise<void> {
    const issues: { path: string; message: string }[] = [];
    for (const [field, name] of [['a', a], ['b', b]] as const) {
      if (!this.sim.clusters.has(name)) issues.push({ path: field, message: `no cluster "${name}" (clusters: ${[...this.sim.clusters.keys()].join(', ')})` });
    }
    if (a === b) issues.push({ path: 'b', message: 'a cluster cannot link to itself' });
    if (this.links.some((l) => (l.listener === a && l.connector === b) || (l.listener === b && l.connector === a))) {
      issues.push({ path: 'b', message: `${a} and ${b} are already linked` });
    }
    const cost = opts.cost ?? 1;
    if (!Number.isInteger(cost) || cost < 1) issues.push({ path: 'cost', message: `must be a whole number >= 1, got ${cost}` });
    const tls = opts.tls ?? this.tls ?? false;
    if (this.tls !== undefined && tls !== this.tls) {
      issues.push({ path: 'tls', message: `every link of a simulation is ${this.tls ? 'TLS' : 'plain'}: the routers' listener serves them all` });
    }
    if (issues.length) throw new ValidationError(`link ${a} ↔ ${b}`, issues);
    this.tls = tls;
    this.links.push({ listener: a, connector: b, cost });
    await this.sim.reporter.step(`link clusters ${a} ↔ ${b} (cost ${cost}${tls ? ', mutual TLS' : ''})`, () => this.apply());
  }

  /** Exposes `host:port` of cluster `from` to the clusters in `opts.to`, on `opts.port` of their routers. */
  async expose(from: string, target: { name: string; host: Pod | string; port: number }, opts: ExposeAcrossOptions): Promise<CrossClusterService> {
    const parsed = ExposeSchema.safeParse({ name: target.name, port: target.port, to: [...opts.to], listenPort: opts.port });
    const issues = parsed.success ? [] : zodIssues(parsed.error);
    if (!this.sim.clusters.has(from)) issues.push({ path: 'from', message: `no cluster "${from}"` });
    opts.to.forEach((c, i) => {
      if (!this.sim.clusters.has(c)) issues.push({ path: `to.${i}`, message: `no cluster "${c}"` });
      else if (c === from) issues.push({ path: `to.${i}`, message: `${c} is the serving cluster itself` });
      else if (this.sim.clusters.has(from) && !this.connected(from, c)) issues.push({ path: `to.${i}`, message: `${c} is not linked to ${from}, directly or through others (sim.link first)` });
      else if (this.services.some((s) => s.to.includes(c) && s.listenPort === opts.port)) {
        issues.push({ path: 'port', message: `${c}'s router already listens on ${opts.port} for another service` });
      }
    });
    const address = `${target.name}:${target.port}`;
    if (this.services.some((s) => s.address === address)) issues.push({ path: 'name', message: `${address} is already exposed` });
    if (issues.length) throw new ValidationError(`expose ${target.name} across clusters`, issues);
    const host = typeof target.host === 'string' ? target.host : target.host.ip;
    const service: CrossClusterService = { address, from, host, port: target.port, to: [...opts.to], listenPort: opts.port };
    this.services.push(service);
    await this.sim.reporter.step(`expose ${address} of ${from} to ${opts.to.join(', ')} on port ${opts.port}`, () => this.apply());
    return service;
  }

  /** Whether links join clusters a and b (directly or through others). */
  private connected(a: string, b: string): boolean {
    const seen = new Set([a]);
    const todo = [a];
    while (todo.length) {
      const x = todo.pop()!;
      for (const l of this.links) {
        const y = l.listener === x ? l.connector : l.connector === x ? l.listener : undefined;
        if (y !== undefined && !seen.has(y)) {
          seen.add(y);
          todo.push(y);
        }
      }
    }
    return seen.has(b);
  }

  /** The router of a cluster (once it is linked or serves/consumes a service). */
  router(cluster: string): SkupperRouter {
    const r = this.routers.get(cluster);
    if (!r) throw new HarnessError(`cluster ${cluster} runs no router (link it or expose a service to it first)`);
    return r;
  }

  /** A cluster's router as a process faults can kill; restarting waits for its links and addresses. */
  routerProcess(cluster: string): RestartableProcess {
    const router = this.router(cluster);
    return {
      label: `router ${cluster}`,
      kill: () => router.kill(),
      restart: async () => {
        router.restart();
        // Routers that dial this one redial now rather than after their connector's back-off
        // (skrouterd waits seconds): once its listener is up, their connector is made anew.
        const dialers = this.links.filter((l) => l.listener === cluster).map((l) => l.connector);
        if (dialers.length) {
          await this.listening(cluster);
          await Promise.all(dialers.map(async (id) => {
            const r = this.router(id);
            const entity = r.currentConfig().find(([t, a]) => t === 'connector' && a['name'] === linkConnectorName(cluster));
            if (!entity) return;
            const { name, ...attributes } = entity[1];
            await r.apply([{ op: 'DELETE', type: 'connector', name: String(name) }, { op: 'CREATE', type: 'connector', name: String(name), attributes }]);
          }));
        }
        await Promise.all([cluster, ...dialers].map((id) => this.router(id).waitReady(this.expected(id))));
      },
    };
  }

  /** What a site's router must see before it is ready: its peers, and the addresses it consumes. */
  private expected(id: string): { peers: string[]; addresses: string[] } {
    const peers = this.links.flatMap((l) => (l.listener === id ? [l.connector] : l.connector === id ? [l.listener] : []));
    const addresses = this.services.filter((s) => s.to.includes(id)).map((s) => s.address);
    return { peers, addresses };
  }

  /** Where clients in `cluster` reach a service: its first worker's address and the listen port. */
  endpoint(service: CrossClusterService, cluster: string): { host: string; port: number } {
    if (!service.to.includes(cluster)) throw new HarnessError(`${service.address} is not exposed to ${cluster}`);
    return { host: this.firstWorker(cluster).ip, port: service.listenPort };
  }

  private firstWorker(cluster: string) {
    const w = this.sim.cluster(cluster).listWorkers()[0];
    if (!w) throw new HarnessError(`cluster ${cluster} has no worker`);
    return w;
  }

  private sites(dir: string): Map<string, SiteSpec> {
    const names = new Set<string>([...this.links.flatMap((l) => [l.listener, l.connector]), ...this.services.flatMap((s) => [s.from, ...s.to])]);
    const sites = new Map<string, SiteSpec>();
    for (const id of names) {
      sites.set(id, {
        id,
        links: this.links.filter((l) => l.connector === id).map((l) => ({ peer: l.listener, host: this.firstWorker(l.listener).ip, cost: l.cost })),
        services: this.services.flatMap((s) => [
          ...(s.from === id ? [{ address: s.address, connector: { host: s.host, port: s.port } }] : []),
          ...(s.to.includes(id) ? [{ address: s.address, listener: { port: s.listenPort } }] : []),
        ]),
        logFile: routerFiles(dir, id).log,
      });
    }
    return sites;
  }

  /**
   * Applies the changes made so far. Changes made together (`link` and `expose` awaited
   * in one Promise.all) are applied together: one start of each router rather than a
   * start and a restart. Applies never overlap: each waits for the one before.
   */
  private apply(): Promise<void> {
    if (!this.queued) {
      const next = this.applying
        .catch(() => undefined)
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          this.queued = undefined;
          return this.applyNow();
        });
      this.queued = next;
      this.applying = next;
    }
    return this.queued;
  }

  /** Until the router of `cluster` accepts inter-router connections (seen with ss in its namespace). */
  private listening(cluster: string): Promise<void> {
    const r = this.router(cluster);
    return waitTcpListening(this.firstWorker(cluster).netns, INTER_ROUTER_PORT, { what: `router ${cluster}'s inter-router listener`, daemon: r.daemon });
  }

  /**
   * Brings every router to its site's config: starts the routers of new sites (without
   * connectors), applies the differences to running ones with management, then creates
   * connectors once the listener each dials is up, then waits until all are ready.
   */
  private async applyNow(): Promise<void> {
    const dir = join(this.sim.runDir, 'skupper');
    mkdirSync(dir, { recursive: true });
    const sites = this.sites(dir);
    if (this.tls) {
      this.pki ??= await SitePki.create(join(dir, 'pki'));
      for (const [id, site] of sites) {
        if (!this.certs.has(id)) this.certs.set(id, await this.pki.issue(id, this.firstWorker(id).ip));
        sites.set(id, { ...site, tls: this.certs.get(id)! });
      }
    }
    // One router after the other: report steps nest by time (starting one only spawns it).
    const dials = new Map<string, ConfigChange[]>();
    const changed = new Set<string>();
    for (const [id, site] of sites) {
      const config = siteConfig(site);
      let router = this.routers.get(id);
      if (!router) {
        const first = config.filter(([type]) => type !== 'connector');
        router = await this.sim.reporter.step(`start router ${id} (${routerKind()})`, () =>
          SkupperRouter.start(this.sim.ledger, { id, netns: this.firstWorker(id).netns, dir, config: first }));
        this.routers.set(id, router);
        changed.add(id);
      }
      const changes = configChanges(router.currentConfig(), config);
      const now = changes.filter((c) => !(c.op === 'CREATE' && c.type === 'connector'));
      const later = changes.filter((c) => c.op === 'CREATE' && c.type === 'connector');
      if (later.length) dials.set(id, later);
      if (now.length === 0) continue;
      changed.add(id);
      const r = router;
      await this.sim.reporter.step(`router ${id}: ${describe(now)}`, () => r.apply(now));
    }
    for (const [id, creates] of dials) {
      await Promise.all(creates.map((c) => this.listening(peerOfLinkConnector(c.name))));
      changed.add(id);
      await this.sim.reporter.step(`router ${id}: ${describe(creates)}`, () => this.router(id).apply(creates));
    }
    await Promise.all([...sites.keys()].map((id) => this.router(id).waitReady(this.expected(id))));
    for (const id of changed) await this.sim.reporter.attach(`router config ${id}.json`, readFileSync(this.router(id).configFile, 'utf8'), 'application/json');
  }

  /** Closes this process's connections to the routers, which keep running. */
  async disconnect(): Promise<void> {
    await Promise.all([...this.routers.values()].map((r) => r.disconnect()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.routers.values()].map((r) => r.stop()));
  }
}

/** "CREATE connector link-C0, DELETE tcpListener web:80" for report steps. */
function describe(changes: readonly ConfigChange[]): string {
  return changes.map((c) => `${c.op} ${c.type} ${c.name}`).join(', ');
}
