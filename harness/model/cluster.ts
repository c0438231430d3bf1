import type { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../components/etcd/etcd-cluster.ts';
import { readLeases } from '../components/flannel/flanneld.ts';
import { HarnessError } from '../sys/errors.ts';
import type { Pod } from './pod.ts';
import { Service } from './service.ts';
import type { CrossClusterService, ExposeAcrossOptions } from './multicluster.ts';
import { ServiceController } from './service-controller.ts';
import type { ExposeOptions } from './service-spec.ts';
import type { Simulation } from './simulation.ts';
import type { ClusterPlan } from './topology.ts';
import type { Worker } from './worker.ts';

/** A Kubernetes-style cluster: its etcd, its workers, its pods. */
export class Cluster {
  readonly workers = new Map<string, Worker>();
  private readonly pods = new Map<string, Pod>();
  private readonly reserved = new Set<string>();
  private serviceController: ServiceController | undefined;

  constructor(
    readonly sim: Simulation,
    readonly plan: ClusterPlan,
    readonly etcd: EtcdCluster,
  ) {}

  get name(): string {
    return this.plan.name;
  }

  toJSON(): string {
    return `cluster ${this.name}`;
  }

  /** Pods get IPv6 addresses too (flannel's EnableIPv6), and services may have IPv6 VIPs. */
  get dualStack(): boolean {
    return this.plan.dualStack;
  }

  /** The cluster's etcd, through the etcd3 client. */
  get kv(): Etcd3 {
    return this.etcd.kv();
  }

  worker(name: string): Worker {
    const w = this.workers.get(name) ?? this.workers.get(name.startsWith(this.name) ? name.slice(this.name.length) : '');
    if (!w) throw new HarnessError(`cluster ${this.name} has no worker "${name}" (workers: ${[...this.workers.keys()].join(', ')})`);
    return w;
  }

  pod(name: string): Pod {
    const p = this.pods.get(name);
    if (!p) throw new HarnessError(`cluster ${this.name} has no pod "${name}" (pods: ${[...this.pods.keys()].join(', ') || 'none'})`);
    return p;
  }

  hasPod(name: string): boolean {
    return this.pods.has(name);
  }

  listPods(): Pod[] {
    return [...this.pods.values()];
  }

  listWorkers(): Worker[] {
    return [...this.workers.values()];
  }

  /** Creates a pod on a worker of this cluster. */
  createPod(name: string, worker: string): Promise<Pod> {
    return this.worker(worker).createPod(name);
  }

  /** Services, their kube-proxy agents and the endpoint controller (made on first use). */
  get services(): ServiceController {
    this.serviceController ??= new ServiceController(this);
    return this.serviceController;
  }

  /** Creates a Service over pods (see ExposeOptions); resolves once every worker programmed it. */
  expose(name: string, options: ExposeOptions): Promise<Service> {
    return this.services.expose(name, options);
  }

  /** Removes a Service; resolves once no worker programs it. */
  unexpose(name: string): Promise<void> {
    return this.services.unexpose(name);
  }

  /**
   * Makes a service of this cluster reachable from other clusters through the skupper
   * routers: a Service (its VIP and first port) or any host:port (a pod's server).
   * Clients in each cluster of `opts.to` connect to its first worker on `opts.port`.
   */
  exposeAcross(target: Service | { name: string; host: Pod | string; port: number }, opts: ExposeAcrossOptions): Promise<CrossClusterService> {
    const t = target instanceof Service ? { name: target.name, host: target.vip, port: serviceFirstPort(target) } : target;
    return this.sim.multicluster.expose(this.name, t, opts);
  }

  /** flannel's subnet leases in this cluster's etcd. */
  leases() {
    return readLeases(this.kv);
  }

  /** @internal Claims a pod name before its namespace exists, so two creations cannot race. */
  reservePodName(name: string): void {
    if (this.pods.has(name) || this.reserved.has(name)) {
      throw new HarnessError(`cluster ${this.name} already has a pod named "${name}"`);
    }
    this.reserved.add(name);
  }

  /** @internal */
  releasePodName(name: string): void {
    this.reserved.delete(name);
  }

  /** @internal */
  registerPod(pod: Pod): void {
    this.reserved.delete(pod.name);
    this.pods.set(pod.name, pod);
    this.sim.saveState();
  }

  /** @internal */
  forgetPod(pod: Pod): void {
    this.pods.delete(pod.name);
    this.serviceController?.podGone(pod);
    this.sim.saveState();
  }
}

function serviceFirstPort(svc: Service): number {
  const p = svc.ports[0];
  if (!p) throw new HarnessError(`service ${svc.name} has no port to expose across clusters (give it ports)`);
  return p.port;
}
