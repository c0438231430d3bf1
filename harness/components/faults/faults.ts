import { HarnessError } from '../../sys/errors.ts';
import type { Ledger } from '../../sys/ledger.ts';
import type { Reporter } from '../../sys/reporter.ts';
import { addDelay } from './delay.ts';
import { Fault, type FaultSpec } from './fault.ts';
import {
  DelayOptionsSchema,
  LossOptionsSchema,
  MtuOptionsSchema,
  parseFaultOptions,
  RateOptionsSchema,
  WrongVniOptionsSchema,
  type Direction,
} from './fault-options.ts';
import { NETEM_FIX, probeNetem, UnsupportedKernelFeatureError, type ProbeResult } from './kernel-support.ts';
import { linkMtu, setLinkMtu, setLinkState } from './link-state.ts';
import { addLoss, removeLoss } from './packet-loss.ts';
import { addRateLimit, removeRootQdisc } from './rate-limit.ts';
import { addWrongVni, removeWrongVni } from './wrong-vni.ts';
import { isWorker, underlayLink, WORKER_UPLINK, type FaultCluster, type FaultWorker } from './targets.ts';

/** What the registry needs of a simulation (the model's Simulation fits). */
export interface FaultHost {
  readonly ledger: Ledger;
  readonly underlayNetns: string;
  /** Read at each fault: the test fixture swaps the reporter in. */
  readonly reporter: Reporter;
}

/** Two faults would change the same thing (one root qdisc, one link state...). */
export class FaultConflictError extends HarnessError {
  override name = 'FaultConflictError';
  constructor(
    readonly wanted: string,
    readonly active: string,
  ) {
    super(`cannot inject "${wanted}": "${active}" is active on the same resource; undo it first`);
  }
}

/** A daemon the harness can kill and start again (a router, a kube-proxy agent). */
export interface RestartableProcess {
  readonly label: string;
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again and resolves once it is ready (observed, with a deadline). */
  restart(): Promise<void>;
}

/** A link of the fabric: a worker's uplink, or a cluster's link to the top switch. */
export type LinkTarget = FaultWorker | FaultCluster;

/**
 * The faults of one simulation: each method injects one, returns its handle and keeps
 * it here until undone; `undoAll()` undoes what is left (the test fixture calls it after
 * every test). Link faults act on the underlay end of a link, so the worker's own
 * configuration is untouched; MTU is the one that changes the worker's side, on purpose.
 */
export class Faults {
  private readonly active = new Map<Fault, string | undefined>();
  /** Resource → the fault holding it, taken before injection starts (so two concurrent injections cannot both pass). */
  private readonly held = new Map<string, string>();
  private netem: Promise<ProbeResult> | undefined;

  constructor(private readonly host: FaultHost) {}

  /** Faults injected and not yet undone, oldest first. */
  list(): Fault[] {
    return [...this.active.keys()];
  }

  /** Takes a worker's uplink down at its bridge port (`ip -n UNDERLAY link set C0w1 down`). */
  async linkDown(worker: FaultWorker): Promise<Fault> {
    const link = underlayLink(worker);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'link-down',
      description: `${link.label} down (port ${link.port} on ${link.bridge})`,
      resource: `link ${link.port}`,
      inject: () => setLinkState(ul, link.port, 'down'),
      undo: () => setLinkState(ul, link.port, 'up'),
    });
  }

  /** Cuts a cluster off the top switch (its t-C0 port on br-top down). */
  async partition(cluster: FaultCluster): Promise<Fault> {
    const link = underlayLink(cluster);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'partition',
      description: `partition ${cluster.name} from the other clusters (${link.port} on ${link.bridge} down)`,
      resource: `link ${link.port}`,
      inject: () => setLinkState(ul, link.port, 'down'),
      undo: () => setLinkState(ul, link.port, 'up'),
    });
  }

  /**
   * Drops `fraction` (0..1) of the frames crossing a link, each one drawn independently
   * (nftables `numgen random` in a bridge table of our own). Default both directions, so
   * a ping round trip survives with probability (1 - fraction)².
   */
  async loss(target: LinkTarget, fraction: number, opts: { direction?: Direction } = {}): Promise<Fault> {
    const o = parseFaultOptions('loss', LossOptionsSchema, { fraction, ...opts });
    const link = underlayLink(target);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'loss',
      description: `drop ${round(o.fraction * 100)}% of frames on the ${link.label} (${o.direction})`,
      resource: `nft ${link.port}`,
      inject: () => addLoss(ul, link.port, o.fraction, o.direction),
      undo: () => removeLoss(ul, link.port),
    });
  }

  /** Limits what a link carries toward its target (tc tbf on the underlay port), e.g. "10mbit". */
  async rate(target: LinkTarget, rate: string): Promise<Fault> {
    const o = parseFaultOptions('rate', RateOptionsSchema, { rate });
    const link = underlayLink(target);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'rate',
      description: `limit the ${link.label} to ${o.rate} toward ${isWorker(target) ? target.fullName : target.name} (tc tbf)`,
      resource: `qdisc ${link.port}`,
      inject: () => addRateLimit(ul, link.port, o.rate),
      undo: () => removeRootQdisc(ul, link.port),
    });
  }

  /**
   * Delays what a link carries toward its target by `ms` (± `jitterMs`) with netem. On a
   * kernel without netem it throws UnsupportedKernelFeatureError and changes nothing.
   */
  async delay(target: LinkTarget, ms: number, jitterMs?: number): Promise<Fault> {
    const o = parseFaultOptions('delay', DelayOptionsSchema, jitterMs === undefined ? { ms } : { ms, jitterMs });
    const netem = await this.netemSupport();
    if (!netem.supported) throw new UnsupportedKernelFeatureError('netem', netem.detail, NETEM_FIX);
    const link = underlayLink(target);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'delay',
      description: `delay the ${link.label} by ${o.ms} ms${o.jitterMs ? ` ± ${o.jitterMs} ms` : ''} (netem)`,
      resource: `qdisc ${link.port}`,
      inject: () => addDelay(ul, link.port, o.ms, o.jitterMs),
      undo: () => removeRootQdisc(ul, link.port),
    });
  }

  /** Whether this kernel has netem, by the probe `knetsim doctor` runs (once per simulation). */
  netemSupport(): Promise<ProbeResult> {
    this.netem ??= probeNetem(this.host.underlayNetns);
    return this.netem;
  }

  /** Kills a worker's flanneld with SIGKILL; undo starts it again and waits until it is ready. */
  async killFlanneld(worker: FaultWorker): Promise<Fault> {
    const f = worker.flanneld;
    return this.inject({
      kind: 'kill-flanneld',
      description: `kill flanneld on ${worker.fullName} (SIGKILL)`,
      resource: `flanneld ${worker.fullName}`,
      inject: async () => {
        const pid = f.daemon.pid;
        await f.kill();
        return { pid };
      },
      undo: async () => {
        const t0 = performance.now();
        const env = await f.restart();
        return { restartedPid: f.daemon.pid, readyMs: Math.round(performance.now() - t0), subnetAfterRestart: env.subnet };
      },
    });
  }

  /**
   * Kills a worker's flanneld and starts it again at once, returning when it is ready;
   * the handle's detail has `readyMs` and the subnet it came back with. Nothing to undo.
   */
  async restartFlanneld(worker: FaultWorker): Promise<Fault> {
    const f = worker.flanneld;
    return this.inject({
      kind: 'restart-flanneld',
      description: `restart flanneld on ${worker.fullName} (SIGKILL, then start)`,
      resource: `flanneld ${worker.fullName}`,
      transient: true,
      inject: async () => {
        const pid = f.daemon.pid;
        await f.kill();
        const t0 = performance.now();
        const env = await f.restart();
        return { pid, restartedPid: f.daemon.pid, readyMs: Math.round(performance.now() - t0), subnetAfterRestart: env.subnet };
      },
      undo: async () => undefined,
    });
  }

  /**
   * Kills a daemon (SIGKILL): `sim.multicluster.routerProcess('C0')`, a cluster's
   * `services.agentProcess('w1')`. Undo starts it again and waits until it is ready; the
   * handle's detail has `readyMs`.
   */
  async killProcess(target: RestartableProcess): Promise<Fault> {
    return this.inject({
      kind: 'kill-process',
      description: `kill ${target.label} (SIGKILL)`,
      resource: target.label,
      inject: async () => {
        await target.kill();
        return { killed: target.label };
      },
      undo: async () => {
        const t0 = performance.now();
        await target.restart();
        return { readyMs: Math.round(performance.now() - t0) };
      },
    });
  }

  /** Kills one etcd member of a cluster (default: its last) with SIGKILL; undo restarts it and waits until all are healthy. */
  async killEtcd(cluster: FaultCluster, member?: string): Promise<Fault> {
    const etcd = cluster.etcd;
    const name = etcd.options.members[etcd.memberIndex(member)]!.name;
    return this.inject({
      kind: 'kill-etcd',
      description: `kill etcd member ${name} of ${cluster.name} (SIGKILL)`,
      resource: `etcd ${name}`,
      inject: async () => {
        const pid = etcd.daemons[etcd.memberIndex(name)]!.pid;
        await etcd.killMember(name);
        return { member: name, pid, members: etcd.options.members.length };
      },
      undo: async () => {
        const t0 = performance.now();
        await etcd.restartMember(name);
        return { healthyMs: Math.round(performance.now() - t0) };
      },
    });
  }

  /**
   * Makes a worker's VXLAN packets carry another VNI (rewritten by nft on its underlay
   * port), as if its flannel were configured with it: the other workers' flannel.<VNI>
   * devices drop them. `port` is the cluster's VXLAN UDP port (default 8472).
   */
  async wrongVni(worker: FaultWorker, vni: number, opts: { port?: number } = {}): Promise<Fault> {
    const o = parseFaultOptions('wrong-vni', WrongVniOptionsSchema, { vni, ...opts });
    const link = underlayLink(worker);
    const ul = this.host.underlayNetns;
    return this.inject({
      kind: 'wrong-vni',
      description: `VXLAN from ${worker.fullName} (UDP ${o.port}) carries VNI ${o.vni}`,
      resource: `nft-vni ${link.port}`,
      inject: () => addWrongVni(ul, link.port, o.port, o.vni),
      undo: () => removeWrongVni(ul, link.port),
    });
  }

  /** Sets the MTU of a worker's uplink (eth0, its own side) while its bridge keeps 1500. */
  async mtu(worker: FaultWorker, mtu: number): Promise<Fault> {
    const o = parseFaultOptions('mtu', MtuOptionsSchema, { mtu });
    const before = await linkMtu(worker.netns, WORKER_UPLINK);
    const link = underlayLink(worker);
    return this.inject({
      kind: 'mtu',
      description: `MTU of ${worker.fullName}'s ${WORKER_UPLINK} ${before} → ${o.mtu} (its bridge ${link.bridge} unchanged)`,
      resource: `mtu ${worker.fullName}`,
      inject: async () => {
        await setLinkMtu(worker.netns, WORKER_UPLINK, o.mtu);
        return { previousMtu: before, mtu: o.mtu };
      },
      undo: () => setLinkMtu(worker.netns, WORKER_UPLINK, before),
    });
  }

  /**
   * Undoes every active fault, newest first. Each is attempted even if another fails;
   * then the failures are thrown together.
   */
  async undoAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const f of this.list().reverse()) {
      await f.undo().catch((e: unknown) => errors.push(e));
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new HarnessError(`${errors.length} faults could not be undone`, { cause: new AggregateError(errors) });
  }

  /**
   * @internal The simulation is being torn down: deleting its namespaces undoes every
   * fault, so the handles are closed without running their undo.
   */
  closeAll(): void {
    for (const f of this.list()) f.close('the run was torn down');
    this.active.clear();
    this.held.clear();
  }

  private async inject(spec: FaultSpec): Promise<Fault> {
    const resource = spec.resource;
    if (resource) {
      const holder = this.held.get(resource);
      if (holder !== undefined) throw new FaultConflictError(spec.description, holder);
      this.held.set(resource, spec.description);
    }
    const release = () => {
      if (resource) this.held.delete(resource);
    };
    let fault: Fault;
    try {
      fault = await Fault.inject(this.host, spec, (f) => {
        this.active.delete(f);
        release();
      });
    } catch (e) {
      release();
      throw e;
    }
    if (spec.transient) release();
    else this.active.set(fault, resource);
    return fault;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
