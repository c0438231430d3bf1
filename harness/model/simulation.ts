import { join } from 'node:path';
import { captureIn, type Capture, type CaptureOptions } from '../components/capture/index.ts';
import { CniNetwork } from '../components/cni/cni.ts';
import { EtcdCluster } from '../components/etcd/etcd-cluster.ts';
import { Faults } from '../components/faults/index.ts';
import { Flanneld, writeNetworkConfig } from '../components/flannel/flanneld.ts';
import { buildFabric, UPLINK, type FabricHost } from '../components/underlay/fabric.ts';
import { preflight } from '../components/tools/preflight.ts';
import { HarnessError } from '../sys/errors.ts';
import { Ledger } from '../sys/ledger.ts';
import { processStartTime } from '../sys/proc.ts';
import { silentReporter, type Reporter } from '../sys/reporter.ts';
import { reapRun } from '../sys/reaper.ts';
import { netnsName, newRunId, runDirOf } from '../sys/run-dir.ts';
import { Cluster } from './cluster.ts';
import { MultiCluster } from './multicluster.ts';
import type { Pod } from './pod.ts';
import type { Topology } from './topology.ts';
import { Worker } from './worker.ts';
import { mapLimit } from './concurrency.ts';
import { runStateOf, saveRunState } from './run-state.ts';
import { timelineSvg, topologySvg } from './topology-svg.ts';

export interface SimulationOptions {
  topology: Topology;
  /** Leave everything running when this process exits (`knetsim up --detach`). */
  detached?: boolean;
  title?: string;
  /** Deadline for each readiness wait (etcd healthy, flanneld ready). */
  readyTimeoutMs?: number;
  /** Where operations are told as steps with evidence (default: nowhere). */
  reporter?: Reporter;
  /** Structured events as start-up proceeds. */
  onEvent?: (e: SimEvent) => void;
}

export type SimEvent =
  | { kind: 'run'; runId: string; runDir: string }
  | { kind: 'phase'; phase: Phase; ms: number }
  | { kind: 'pod'; action: 'created' | 'deleted'; pod: string; ip?: string };

export type Phase = 'namespaces' | 'etcd' | 'flannel' | 'pods';

export interface PhaseTiming {
  phase: Phase;
  ms: number;
}

/** How many cnitool/ip processes run at once while pods are made. */
const POD_CONCURRENCY = 6;

/**
 * A running simulation: the fabric, one etcd per cluster, flanneld on every worker,
 * pods wired by CNI. `start()` builds it all and returns only when every part has been
 * observed ready; a failure on the way undoes what was made before it rethrows.
 */
export class Simulation implements AsyncDisposable {
  readonly clusters = new Map<string, Cluster>();
  readonly timings: PhaseTiming[] = [];
  /** Steps and evidence of every operation; the test fixture plugs in the report's. */
  reporter: Reporter;
  private stopped = false;
  private faultRegistry: Faults | undefined;
  private multiClusterState: MultiCluster | undefined;
  /** While start-up makes pods, state.json is written once at the end, not once per pod. */
  private building = true;

  private constructor(
    readonly runId: string,
    readonly runDir: string,
    readonly topology: Topology,
    readonly ledger: Ledger,
    private readonly options: SimulationOptions,
  ) {
    this.reporter = options.reporter ?? silentReporter;
  }

  get underlayNetns(): string {
    return this.netnsName('ul');
  }

  /** The namespace of the switches (br-C0, br-top, the workers' ports), for captures. */
  get underlay(): { netns: string; capture(opts?: CaptureOptions): Promise<Capture> } {
    const netns = this.underlayNetns;
    return { netns, capture: (opts = {}) => captureIn(this, netns, opts, 'underlay') };
  }

  /** Faults injected into this run (link down, loss, killed daemons...) and their undo. */
  get faults(): Faults {
    this.faultRegistry ??= new Faults(this);
    return this.faultRegistry;
  }

  /** Skupper routers, inter-cluster links and services exposed across clusters. */
  get multicluster(): MultiCluster {
    this.multiClusterState ??= new MultiCluster(this);
    return this.multiClusterState;
  }

  /** Links two clusters through skupper routers on their first workers (see MultiCluster.link). */
  link(a: string, b: string, opts: { cost?: number; tls?: boolean } = {}): Promise<void> {
    return this.multicluster.link(a, b, opts);
  }

  netnsName(...parts: string[]): string {
    return netnsName(this.runId, ...parts);
  }

  static async start(options: SimulationOptions): Promise<Simulation> {
    preflight();
    const runId = newRunId();
    const runDir = runDirOf(runId);
    const ledger = Ledger.create(runDir, {
      runId,
      createdAt: new Date().toISOString(),
      ownerPid: process.pid,
      ownerStartTime: processStartTime(process.pid) ?? '?',
      detached: options.detached ?? false,
      topology: options.topology.source,
      title: options.title,
    });
    const sim = new Simulation(runId, runDir, options.topology, ledger, options);
    options.onEvent?.({ kind: 'run', runId, runDir });
    try {
      await sim.build();
    } catch (e) {
      await sim.stop({ keepDir: true }).catch(() => undefined);
      if (e instanceof Error) e.message += `\n(run ${runId}; logs kept in ${runDir})`;
      throw e;
    }
    return sim;
  }

  private async phase<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const r = await this.reporter.step(`start-up: ${phase}`, fn);
    const ms = Math.round(performance.now() - t0);
    this.timings.push({ phase, ms });
    this.options.onEvent?.({ kind: 'phase', phase, ms });
    return r;
  }

  private async build(): Promise<void> {
    const t = this.topology;
    const prefix = t.underlay.prefix;
    const hosts: FabricHost[] = t.clusters.flatMap((c) => [
      ...c.workers.map((w) => ({
        netns: this.netnsName(w.fullName),
        port: w.fullName,
        cluster: c.name,
        address: `${w.ip}/${prefix}`,
        forwarding: true,
        ...(w.ip6 ? { address6: `${w.ip6}/${t.underlayIPv6.prefix}` } : {}),
      })),
      ...c.etcd.map((m) => ({ netns: this.netnsName(m.name), port: m.name, cluster: c.name, address: `${m.ip}/${prefix}`, forwarding: false })),
    ]);
    await this.phase('namespaces', () =>
      buildFabric(this.ledger, { underlayNetns: this.underlayNetns, clusters: t.clusters.map((c) => c.name), hosts }),
    );

    const etcds = await this.phase('etcd', () =>
      Promise.all(
        t.clusters.map(async (c) => {
          const etcd = await EtcdCluster.start(this.ledger, {
            cluster: c.name,
            dir: join(this.runDir, 'etcd', c.name),
            members: c.etcd.map((m) => ({ ...m, netns: this.netnsName(m.name) })),
            readyTimeoutMs: this.options.readyTimeoutMs,
          });
          this.clusters.set(c.name, new Cluster(this, c, etcd));
          await writeNetworkConfig(etcd.kv(), c.flannel);
          return etcd;
        }),
      ),
    );
    // Clusters came up in whatever order their etcd got healthy; keep the topology's order.
    for (const c of t.clusters) {
      const cluster = this.clusters.get(c.name)!;
      this.clusters.delete(c.name);
      this.clusters.set(c.name, cluster);
    }

    await this.phase('flannel', () =>
      Promise.all(
        t.clusters.map(async (c, ci) => {
          const cluster = this.clusters.get(c.name)!;
          const started = c.workers.map((w) =>
            Flanneld.start(this.ledger, {
              worker: w.fullName,
              netns: this.netnsName(w.fullName),
              iface: UPLINK,
              etcdEndpoints: etcds[ci]!.endpoints,
              config: c.flannel,
              dir: join(this.runDir, 'workers', w.fullName),
            }),
          );
          const subnets = await Promise.all(started.map((f) => f.waitReady(this.options.readyTimeoutMs)));
          c.workers.forEach((w, i) => {
            const dir = join(this.runDir, 'workers', w.fullName);
            const netns = this.netnsName(w.fullName);
            const cni = new CniNetwork({ name: w.fullName, workerNetns: netns, subnetFile: started[i]!.subnetFile, dir: join(dir, 'cni') });
            cluster.workers.set(w.name, new Worker(cluster, w.name, netns, w.ip, started[i]!, subnets[i]!, cni));
          });
        }),
      ),
    );

    await this.phase('pods', async () => {
      const all = t.clusters.flatMap((c) => c.pods.map((p) => ({ cluster: this.clusters.get(c.name)!, ...p })));
      const pods = await mapLimit(all, POD_CONCURRENCY, (p) => p.cluster.worker(p.worker).createPodReporting(p.name, silentReporter));
      for (const pod of pods) {
        this.options.onEvent?.({ kind: 'pod', action: 'created', pod: pod.label, ip: pod.ip });
        await this.reporter.step(`pod ${pod.label} ${pod.ip}`, () =>
          this.reporter.attach(`CNI result ${pod.label}`, JSON.stringify(pod.cni.raw, null, 2), 'application/json'),
        );
      }
    });
    this.building = false;
    this.saveState();
    await this.reporter.attach('topology.svg', topologySvg(runStateOf(this)), 'image/svg+xml');
    await this.reporter.attach(`start-up timeline (${this.timings.reduce((n, t) => n + t.ms, 0)} ms)`, timelineSvg(this.timings), 'image/svg+xml');
  }

  cluster(name: string): Cluster {
    const c = this.clusters.get(name);
    if (!c) throw new HarnessError(`no cluster "${name}" (clusters: ${[...this.clusters.keys()].join(', ')})`);
    return c;
  }

  /**
   * Finds a worker or pod by the names the prompt uses: `C0w1` (worker), `C0w1:c1`
   * (pod c1 on C0w1), `C0:c1` (pod c1 of cluster C0).
   */
  find(name: string): Worker | Pod | undefined {
    const [node, pod] = name.split(':', 2);
    for (const c of this.clusters.values()) {
      if (pod !== undefined) {
        if (node === c.name || c.listWorkers().some((w) => w.fullName === node)) {
          const p = c.hasPod(pod) ? c.pod(pod) : undefined;
          if (p && (node === c.name || p.worker.fullName === node)) return p;
        }
      } else {
        const w = c.listWorkers().find((w) => w.fullName === node);
        if (w) return w;
      }
    }
    return undefined;
  }

  /** Writes state.json: what `knetsim exec/ls` of another process needs to find things. */
  saveState(): void {
    if (this.stopped || this.building) return;
    saveRunState(this.runDir, this);
  }

  /**
   * Lets this process go and the run live on (`knetsim up --detach`): closes this process's
   * own connections (etcd clients, router management) and leaves every daemon running;
   * `knetsim down RUN` or `clean` ends the run later.
   */
  async detach(): Promise<void> {
    this.saveState();
    for (const c of this.clusters.values()) c.etcd.kv().close();
    await this.multiClusterState?.disconnect();
  }

  /** Stops every daemon and removes every namespace and file of the run. Idempotent. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.faultRegistry?.closeAll();
    for (const c of this.clusters.values()) c.etcd.kv().close();
    await reapRun(this.runId, { keepDir: opts.keepDir ?? false });
  }

  toJSON(): string {
    return `simulation ${this.runId} (${this.topology.name})`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
