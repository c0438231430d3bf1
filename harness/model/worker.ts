import { CniNetwork } from '../components/cni/cni.ts';
import { captureIn, type Capture, type CaptureOptions } from '../components/capture/index.ts';
import type { Flanneld, SubnetEnv } from '../components/flannel/flanneld.ts';
import { run, type RunOptions, type RunResult } from '../sys/exec.ts';
import { createNetns, deleteNetns } from '../sys/netns.ts';
import type { Cluster } from './cluster.ts';
import { Pod, pingFrom, type PingOptions, type Target } from './pod.ts';
import type { PingStats } from './ping.ts';
import type { Reporter } from '../sys/reporter.ts';
import { podNameSchema } from './names.ts';
import { waitIpv6Settled } from '../sys/wait-ipv6.ts';

/** The bridge the CNI bridge plugin makes on every worker (its default name). */
export const BRIDGE = 'cni0';

/** A worker node: a namespace on its cluster's bridge, running flanneld and the CNI chain. */
export class Worker {
  constructor(
    readonly cluster: Cluster,
    readonly name: string,
    readonly netns: string,
    readonly ip: string,
    readonly flanneld: Flanneld,
    readonly subnet: SubnetEnv,
    readonly cni: CniNetwork,
  ) {}

  /** The worker's underlay IPv6 address (dual-stack clusters only). */
  get ip6(): string | undefined {
    return this.cluster.plan.workers.find((w) => w.name === this.name)?.ip6;
  }

  /** C0w1. */
  get fullName(): string {
    return this.cluster.name + this.name;
  }

  get label(): string {
    return this.fullName;
  }

  /** How reports and messages print a worker. */
  toJSON(): string {
    return `worker ${this.fullName} ${this.ip}`;
  }

  exec(argv: readonly string[], opts: Omit<RunOptions, 'netns'> = {}): Promise<RunResult> {
    return run(argv, { ...opts, netns: this.netns });
  }

  ping(target: Target, opts: PingOptions = {}): Promise<PingStats> {
    return pingFrom(this.netns, this.label, target, opts, this.cluster.sim.reporter);
  }

  /** Starts tcpdump here (default interface: the uplink eth0); resolves once it listens. */
  capture(opts: CaptureOptions = {}): Promise<Capture> {
    return captureIn(this.cluster.sim, this.netns, opts, this.fullName);
  }

  /** Creates a pod here: a namespace, then `cnitool add` in this worker's namespace. */
  createPod(name: string): Promise<Pod> {
    return this.createPodReporting(name, this.cluster.sim.reporter);
  }

  /**
   * @internal createPod, telling `reporter`: pods made concurrently (at start-up) are made
   * silently and told afterwards, one step each, since report steps nest by time.
   */
  async createPodReporting(name: string, reporter: Reporter): Promise<Pod> {
    podNameSchema.parse(name);
    this.cluster.reservePodName(name);
    const sim = this.cluster.sim;
    const netns = sim.netnsName(this.fullName, name);
    try {
      return await reporter.step(`create pod ${name} on ${this.fullName}`, async () => {
        await createNetns(sim.ledger, [netns]);
        const result = await this.cni.add(netns);
        // A dual-stack pod can use IPv6 once its gateway (the bridge's address) has passed DAD.
        if (result.ip6) await waitIpv6Settled(this.netns, BRIDGE);
        await reporter.attach(`CNI result ${this.fullName}:${name}`, JSON.stringify(result.raw, null, 2), 'application/json');
        const pod = new Pod(this, name, netns, result);
        this.cluster.registerPod(pod);
        return pod;
      });
    } catch (e) {
      this.cluster.releasePodName(name);
      await deleteNetns([netns]).catch(() => undefined);
      throw e;
    }
  }
}
