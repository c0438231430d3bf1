import type { CniResult } from '../components/cni/cni.ts';
import { captureIn, type Capture, type CaptureOptions } from '../components/capture/index.ts';
import { HarnessError } from '../sys/errors.ts';
import { run, type RunOptions, type RunResult } from '../sys/exec.ts';
import { deleteNetns } from '../sys/netns.ts';
import { parsePing, type PingStats } from './ping.ts';
import type { Worker } from './worker.ts';

export interface PingOptions {
  count?: number;
  /** Seconds between echo requests (iputils allows 0.002 and up as root). */
  interval?: number;
  /** Seconds to wait for each reply. */
  wait?: number;
}

/** Anything with an address a pod can ping: a pod, a worker, or an address. */
export type Target = { readonly ip: string; readonly label: string } | string;

/** A container: a network namespace on a worker, wired by the CNI chain. */
export class Pod {
  private deleted = false;

  constructor(
    readonly worker: Worker,
    readonly name: string,
    readonly netns: string,
    readonly cni: CniResult,
  ) {}

  get ip(): string {
    return this.cni.ip;
  }

  /** C0w1:c1, as the prompt and messages name it. */
  get label(): string {
    return `${this.worker.fullName}:${this.name}`;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  exec(argv: readonly string[], opts: Omit<RunOptions, 'netns'> = {}): Promise<RunResult> {
    if (this.deleted) throw new HarnessError(`pod ${this.label} was deleted`);
    return run(argv, { ...opts, netns: this.netns });
  }

  /** Pings a target from this pod; never throws for loss, only for a ping that cannot run. */
  async ping(target: Target, opts: PingOptions = {}): Promise<PingStats> {
    return pingFrom(this.netns, target, opts);
  }

  /** Starts tcpdump in this pod (default interface: its eth0); resolves once it listens. */
  capture(opts: CaptureOptions = {}): Promise<Capture> {
    if (this.deleted) throw new HarnessError(`pod ${this.label} was deleted`);
    return captureIn(this.worker.cluster.sim, this.netns, opts, this.label);
  }

  /** `cnitool del`, then the namespace goes. Idempotent. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await this.worker.cni.del(this.netns);
    await deleteNetns([this.netns]);
    this.worker.cluster.forgetPod(this);
  }
}

export async function pingFrom(netns: string, target: Target, opts: PingOptions = {}): Promise<PingStats> {
  const ip = typeof target === 'string' ? target : target.ip;
  const label = typeof target === 'string' ? target : target.label;
  const count = opts.count ?? 3;
  const r = await run(
    ['ping', '-n', '-q', '-c', String(count), '-i', String(opts.interval ?? 0.2), '-W', String(opts.wait ?? 1), ip],
    { netns, reject: false, timeoutMs: (count * (opts.interval ?? 0.2) + (opts.wait ?? 1)) * 1000 + 10_000 },
  );
  if (r.exitCode > 1) {
    throw new HarnessError(`ping ${label} (${ip}) from ${netns} could not run (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  return { ...parsePing(label, r.stdout + r.stderr), target: `${label} (${ip})` };
}
