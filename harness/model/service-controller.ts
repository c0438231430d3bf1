import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { RestartableProcess } from '../components/faults/index.ts';
import { KubeProxyAgent } from '../components/kube-proxy/agent.ts';
import { nodeTsArgv } from '../sys/node-script.ts';
import { readRuleset } from '../components/kube-proxy/ruleset.ts';
import type { TableFamily } from '../components/kube-proxy/render.ts';
import {
  AgentStatusSchema,
  STATUS_PREFIX,
  endpointsKey,
  serviceKey,
  type AgentStatus,
  type StoredEndpoint,
} from '../components/kube-proxy/store.ts';
import { UPLINK } from '../components/underlay/fabric.ts';
import { Daemon } from '../sys/daemon.ts';
import { HarnessError } from '../sys/errors.ts';
import { notYet, ready, waitFor, WaitAbort } from '../sys/wait.ts';
import type { Cluster } from './cluster.ts';
import type { Pod } from './pod.ts';
import { Service } from './service.ts';
import { startIngress, type Ingress, type IngressOptions } from './service-ingress.ts';
import { DEFAULT_SERVICE_CIDR, DEFAULT_SERVICE_CIDR6, planService, type ExposeOptions, type ServicePlan } from './service-spec.ts';
import type { Worker } from './worker.ts';

export const AGENT_READY_TIMEOUT_MS = 30_000;
export const CONVERGE_TIMEOUT_MS = 15_000;
export const BACKEND_READY_TIMEOUT_MS = 20_000;

const ECHO_MAIN = fileURLToPath(new URL('../components/kube-proxy/echo-main.ts', import.meta.url));

/** A service as the harness keeps it: the plan, and the endpoints last written to etcd. */
export interface ServiceRecord {
  plan: ServicePlan;
  endpoints: StoredEndpoint[];
}

/**
 * A cluster's services: writes Services and their endpoints to etcd, runs one kube-proxy
 * agent per worker (started on the first expose), acts as the endpoint controller (a
 * deleted or not-ready pod leaves the endpoints of kube-proxy-mode services), and waits
 * for convergence by watching the revision each agent reports back in etcd.
 */
export class ServiceController {
  private readonly records = new Map<string, ServiceRecord>();
  private readonly statuses = new Map<string, AgentStatus>();
  private readonly backends = new Map<string, Daemon>();
  private readonly ingresses = new Map<string, Ingress | undefined>();
  private agents: Map<string, KubeProxyAgent> | undefined;
  private starting: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastRevision = 0;
  private hookError: Error | undefined;

  constructor(
    readonly cluster: Cluster,
    readonly serviceCidr: string = DEFAULT_SERVICE_CIDR,
    /** IPv6 VIPs of dual-stack services (dual-stack clusters only). */
    readonly serviceCidr6: string = DEFAULT_SERVICE_CIDR6,
  ) {}

  list(): Service[] {
    return [...this.records.keys()].map((n) => new Service(this, n));
  }

  get(name: string): Service {
    if (!this.records.has(name)) {
      throw new HarnessError(`cluster ${this.cluster.name} has no service "${name}" (services: ${[...this.records.keys()].join(', ') || 'none'})`);
    }
    return new Service(this, name);
  }

  has(name: string): boolean {
    return this.records.has(name);
  }

  /** @internal */
  record(name: string): ServiceRecord {
    const r = this.records.get(name);
    if (!r) throw new HarnessError(`service "${name}" was removed from cluster ${this.cluster.name}`);
    return r;
  }

  /** Validates, stores the Service and its endpoints in etcd, and returns once every worker programmed it. */
  async expose(name: string, options: ExposeOptions): Promise<Service> {
    const [svc] = await this.exposeAll([[name, options]]);
    return svc!;
  }

  /**
   * Many services at once: all are validated first (one bad spec and none is written),
   * then written in etcd transactions of up to 64 services, then converged once. The
   * first expose of a cluster writes before it starts the agents, so their first ruleset
   * already holds these services (one nft transaction per worker, not two).
   */
  async exposeAll(specs: readonly (readonly [string, ExposeOptions])[], opts: { timeoutMs?: number } = {}): Promise<Service[]> {
    const planned: [string, ServiceRecord][] = [];
    try {
      for (const [name, options] of specs) {
        const plan = planService(name, options, {
          serviceCidr: this.serviceCidr,
          serviceCidr6: this.serviceCidr6,
          dualStack: this.cluster.dualStack,
          vips: new Map(
            [...this.records.values()].flatMap((r) => [r.plan.stored.vip, ...(r.plan.stored.vip6 ? [r.plan.stored.vip6] : [])].map((v) => [v, r.plan.stored.name] as const)),
          ),
          nodePorts: new Map(
            [...this.records.values()].flatMap((r) => r.plan.stored.ports.flatMap((p) => (p.nodePort ? [[p.nodePort, r.plan.stored.name] as const] : []))),
          ),
          services: new Set(this.records.keys()),
          hasPod: (p) => this.cluster.hasPod(p),
          podIp6: (p) => this.cluster.pod(p).ip6,
        });
        const record = {
          plan,
          endpoints: plan.pods.map((p) => {
            const pod = this.cluster.pod(p);
            return { pod: p, ip: pod.ip, ...(pod.ip6 ? { ip6: pod.ip6 } : {}), ready: true };
          }),
        };
        // Reserved at once, so the next spec (or a concurrent expose) sees this VIP and name taken.
        this.records.set(name, record);
        planned.push([name, record]);
      }
    } catch (e) {
      for (const [name] of planned) this.records.delete(name);
      throw e;
    }
    // From here on the services are in etcd (or being written): they stay known even if
    // the agents then fail to start or convergence times out, so unexpose() can still remove them.
    for (let i = 0; i < planned.length; i += 64) {
      const chunk = planned.slice(i, i + 64);
      await this.write(async (kv) => {
        const r = await kv
          .if(serviceKey(chunk[0]![0]), 'Create', '==', 0)
          .then(
            ...chunk.flatMap(([name, rec]) => [
              kv.put(serviceKey(name)).value(JSON.stringify(rec.plan.stored)),
              kv.put(endpointsKey(name)).value(JSON.stringify(rec.endpoints)),
            ]),
          )
          .commit();
        if (!r.succeeded) throw new HarnessError(`etcd already holds ${serviceKey(chunk[0]![0])}`);
        return Number(r.header.revision);
      });
    }
    await this.ensureAgents();
    await this.converged(opts);
    return planned.map(([name]) => new Service(this, name));
  }

  /** Removes a Service from etcd and waits until no worker programs it any more. */
  async unexpose(name: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    this.record(name);
    this.records.delete(name);
    await this.write(async (kv) => {
      const r = await kv.if(serviceKey(name), 'Create', '>', 0).then(kv.delete().key(serviceKey(name)), kv.delete().key(endpointsKey(name))).commit();
      return Number(r.header.revision);
    });
    await this.converged(opts);
  }

  /** Marks a pod's endpoints ready or not (kube-proxy mode services only) and writes the change. */
  setReady(pod: string, isReady: boolean): Promise<void> {
    return this.updateEndpoints(pod, (e) => ({ ...e, ready: isReady }));
  }

  /** @internal The endpoint controller's hook: called by the cluster when a pod is deleted. */
  podGone(pod: Pod): void {
    for (const [key, d] of this.backends) {
      if (key.startsWith(`${pod.name}/`)) {
        this.backends.delete(key);
        void d.stop().catch(() => undefined);
      }
    }
    if (this.records.size === 0) return;
    this.updateEndpoints(pod.name, () => undefined).catch((e: Error) => (this.hookError ??= e));
  }

  private async updateEndpoints(pod: string, change: (e: StoredEndpoint) => StoredEndpoint | undefined): Promise<void> {
    const changed: [string, string][] = [];
    for (const [name, r] of this.records) {
      if (r.plan.mode === 'static' || !r.endpoints.some((e) => e.pod === pod)) continue;
      r.endpoints = r.endpoints.flatMap((e) => (e.pod === pod ? (change(e) ?? []) : [e]));
      changed.push([endpointsKey(name), JSON.stringify(r.endpoints)]);
    }
    // One transaction per 100 keys: a pod behind many services is one change for the agents.
    for (let i = 0; i < changed.length; i += 100) {
      const chunk = changed.slice(i, i + 100);
      await this.write(async (kv) => {
        const r = await kv.if(chunk[0]![0], 'Create', '>', 0).then(...chunk.map(([k, v]) => kv.put(k).value(v))).commit();
        return Number(r.header.revision);
      });
    }
  }

  /** Serialises writes; remembers the highest revision written, which convergence waits for. */
  private write(fn: (kv: Cluster['kv']) => Promise<number>): Promise<void> {
    const next = this.queue.then(async () => {
      const rev = await fn(this.cluster.kv);
      this.lastRevision = Math.max(this.lastRevision, rev);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Waits until every agent reports having applied every change written so far. */
  async converged(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.queue;
    if (this.hookError) {
      const e = this.hookError;
      this.hookError = undefined;
      throw new HarnessError(`the endpoint controller could not write to etcd: ${e.message}`, { cause: e });
    }
    if (!this.agents) return;
    const target = this.lastRevision;
    const agents = [...this.agents.values()];
    await waitFor(
      `kube-proxy on ${agents.map((a) => a.options.worker).join(', ')} to apply etcd revision ${target}`,
      async () => {
        await this.readStatuses();
        const behind: string[] = [];
        for (const a of agents) {
          if (!a.daemon.running) throw new WaitAbort(a.daemon.error('exited'));
          const s = this.statuses.get(a.options.worker);
          if (s && s.revision >= target) continue;
          if (s?.error) throw new WaitAbort(new HarnessError(`kube-proxy ${a.options.worker} could not apply its ruleset: ${s.error}`));
          behind.push(`${a.options.worker} at ${s ? s.revision : 'no status'}`);
        }
        return behind.length ? notYet(behind.join(', ')) : ready(undefined);
      },
      { timeoutMs: opts.timeoutMs ?? CONVERGE_TIMEOUT_MS, intervalMs: 1, maxIntervalMs: 4 },
    );
  }

  /**
   * Reads every agent's report. Polled (a range read over the unix socket takes about a
   * millisecond) rather than watched: a watch would outlive the client when the simulation
   * closes it, and keep the process alive retrying.
   */
  private async readStatuses(): Promise<void> {
    const all = await this.cluster.kv.getAll().prefix(STATUS_PREFIX).strings();
    for (const value of Object.values(all)) {
      const parsed = AgentStatusSchema.safeParse(JSON.parse(value));
      if (parsed.success) this.statuses.set(parsed.data.worker, parsed.data);
    }
  }

  /** The agents' last reports, by worker. */
  agentStatuses(): ReadonlyMap<string, AgentStatus> {
    return this.statuses;
  }

  /**
   * A worker's kube-proxy agent as a process faults can kill (`sim.faults.killProcess`).
   * Restarting clears its status key and starts a new agent with the same options, then
   * waits until that agent has applied everything written so far.
   */
  agentProcess(worker: string): RestartableProcess {
    const w = this.cluster.worker(worker);
    const agent = () => {
      const a = this.agents?.get(w.fullName);
      if (!a) throw new HarnessError(`no kube-proxy agent on ${w.fullName} yet (expose a service first)`);
      return a;
    };
    return {
      label: `kube-proxy ${w.fullName}`,
      kill: () => agent().daemon.kill('SIGKILL'),
      restart: async () => {
        const old = agent();
        await this.cluster.kv.delete().key(`${STATUS_PREFIX}${w.fullName}`);
        this.statuses.delete(w.fullName);
        this.agents!.set(w.fullName, await KubeProxyAgent.start(this.cluster.sim.ledger, old.options));
        await this.converged();
      },
    };
  }

  /** The agent handles (started on the first expose). */
  agentList(): KubeProxyAgent[] {
    return [...(this.agents?.values() ?? [])];
  }

  private ensureAgents(): Promise<void> {
    this.starting ??= this.startAgents().catch((e) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async startAgents(): Promise<void> {
    const sim = this.cluster.sim;
    const workers = this.cluster.listWorkers();
    const settled = await Promise.allSettled(
      workers.map((w) =>
        KubeProxyAgent.start(sim.ledger, {
          worker: w.fullName,
          netns: w.netns,
          etcdEndpoints: this.cluster.etcd.endpoints,
          families: this.cluster.dualStack ? ['ip', 'ip6'] : ['ip'],
          dir: join(sim.runDir, 'workers', w.fullName),
          serviceRoutes: [
            { cidr: this.serviceCidr, dev: UPLINK },
            ...(this.cluster.dualStack ? [{ cidr: this.serviceCidr6, dev: UPLINK }] : []),
          ],
        }),
      ),
    );
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((a) => a.stop()));
      throw failed.reason;
    }
    const agents = new Map(started.map((a) => [a.options.worker, a]));
    this.agents = agents;
    await waitFor(
      `kube-proxy agents of cluster ${this.cluster.name} to report their first ruleset`,
      async () => {
        await this.readStatuses();
        const missing: string[] = [];
        for (const a of agents.values()) {
          if (!a.daemon.running) throw new WaitAbort(a.daemon.error('exited before its first report'));
          if (!this.statuses.has(a.options.worker)) missing.push(`${a.options.worker}: ${a.daemon.logTail(1) || 'no log yet'}`);
        }
        return missing.length ? notYet(`waiting for ${missing.join('; ')}`) : ready(undefined);
      },
      { timeoutMs: AGENT_READY_TIMEOUT_MS, intervalMs: 5, maxIntervalMs: 20 },
    );
  }

  /** Starts (once) the tiny server answering the pod's name on a port in the pod (echo-main.ts). */
  async ensureBackend(pod: Pod, port: number, kind: 'tcp' | 'udp' | 'http' = 'tcp'): Promise<void> {
    // TCP and HTTP share the TCP port space; UDP has its own.
    const key = `${pod.name}/${kind === 'udp' ? 'udp' : 'tcp'}/${port}`;
    const existing = this.backends.get(key);
    const existingKind = existing?.spec.argv[existing.spec.argv.indexOf('--protocol') + 1];
    if (existing?.running && existingKind !== kind) {
      throw new HarnessError(`${pod.label} already serves ${existingKind} on port ${port}, not ${kind}`);
    }
    let d = existing;
    if (!d || !d.running) {
      const dir = join(this.cluster.sim.runDir, 'pods');
      mkdirSync(dir, { recursive: true });
      d = Daemon.start(this.cluster.sim.ledger, {
        name: `echo ${pod.label}:${port}/${kind}`,
        netns: pod.netns,
        logFile: join(dir, `${this.cluster.name}-${pod.name}-echo-${kind}-${port}.log`),
        argv: nodeTsArgv(ECHO_MAIN, ['--port', String(port), '--name', pod.name, '--protocol', kind]),
      });
      this.backends.set(key, d);
    }
    const daemon = d;
    await waitFor(
      `the ${kind} echo server in ${pod.label} to listen on ${port}`,
      async () => {
        if (!daemon.running) throw new WaitAbort(daemon.error('exited before listening'));
        const log = existsSync(daemon.spec.logFile) ? readFileSync(daemon.spec.logFile, 'utf8') : '';
        return log.includes('listening on') ? ready(undefined) : notYet(log.trim().split('\n').pop() || 'empty log');
      },
      { timeoutMs: BACKEND_READY_TIMEOUT_MS, intervalMs: 20, maxIntervalMs: 100 },
    );
  }

  /** Starts nginx on a worker routing paths to services (see IngressOptions). */
  async ingress(name: string, options: IngressOptions): Promise<Ingress> {
    if (this.ingresses.has(name)) throw new HarnessError(`cluster ${this.cluster.name} already has an ingress named "${name}"`);
    this.ingresses.set(name, undefined);
    try {
      const ingress = await startIngress(this, name, options);
      this.ingresses.set(name, ingress);
      return ingress;
    } catch (e) {
      this.ingresses.delete(name);
      throw e;
    }
  }

  /** A knetsim table of a worker (ip, or ip6 on dual-stack clusters): text for reports, parsed for semantic checks. */
  ruleset(worker: string | Worker, family: TableFamily = 'ip') {
    const w = typeof worker === 'string' ? this.cluster.worker(worker) : worker;
    return readRuleset(w.netns, family);
  }
}
