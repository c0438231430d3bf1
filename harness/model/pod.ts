import type { CniResult } from '../components/cni/cni.ts';
import { captureIn, type Capture, type CaptureOptions } from '../components/capture/index.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../sys/daemon.ts';
import { waitTcpListening } from '../sys/wait-listening.ts';
import { HarnessError } from '../sys/errors.ts';
import { run, type RunOptions, type RunResult } from '../sys/exec.ts';
import { deleteNetns } from '../sys/netns.ts';
import { formatPing, parsePing, type PingStats } from './ping.ts';
import { silentReporter, type Reporter } from '../sys/reporter.ts';
import type { Worker } from './worker.ts';

export interface PingOptions {
  count?: number;
  /** Seconds between echo requests (iputils allows 0.002 and up as root). */
  interval?: number;
  /** Seconds to wait for each reply. */
  wait?: number;
  /** Payload bytes (ping -s); default 56, an 84-byte IPv4 packet. */
  size?: number;
  /** Set DF and never fragment (ping -M do): a packet too big for a link is lost, not split. */
  dontFragment?: boolean;
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

  /** The pod's IPv6 address on a dual-stack cluster. */
  get ip6(): string | undefined {
    return this.cni.ip6;
  }

  /** C0w1:c1, as the prompt and messages name it. */
  get label(): string {
    return `${this.worker.fullName}:${this.name}`;
  }

  /** How reports and messages print a pod. */
  toJSON(): string {
    return `pod ${this.label} ${this.ip}`;
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
    return pingFrom(this.netns, this.label, target, opts, this.worker.cluster.sim.reporter);
  }

  /**
   * Starts a long-running program in this pod (a server, say), logged to the run folder
   * and recorded in the ledger; it ends with the pod's run, or with `stop()`.
   */
  start(name: string, argv: readonly string[]): Daemon {
    if (this.deleted) throw new HarnessError(`pod ${this.label} was deleted`);
    const sim = this.worker.cluster.sim;
    const dir = join(sim.runDir, 'pods', this.label.replace(':', '-'));
    mkdirSync(dir, { recursive: true });
    return Daemon.start(sim.ledger, { name: `${name} in ${this.label}`, netns: this.netns, logFile: join(dir, `${name}.log`), argv });
  }

  /** Waits (with a deadline) until a server in this pod listens on TCP `port`. */
  waitListening(port: number, opts: { daemon?: Daemon; timeoutMs?: number } = {}): Promise<void> {
    return waitTcpListening(this.netns, port, { ...opts, what: `a server in ${this.label}` });
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
    await this.worker.cluster.sim.reporter.step(`delete pod ${this.label}`, async () => {
      await this.worker.cni.del(this.netns);
      await deleteNetns([this.netns]);
      this.worker.cluster.forgetPod(this);
    });
  }
}

export async function pingFrom(
  netns: string,
  from: string,
  target: Target,
  opts: PingOptions = {},
  reporter: Reporter = silentReporter,
): Promise<PingStats> {
  const ip = typeof target === 'string' ? target : target.ip;
  const label = typeof target === 'string' ? target : target.label;
  const count = opts.count ?? 3;
  const interval = opts.interval ?? 0.2;
  const wait = opts.wait ?? 1;
  const extra = [...(opts.size !== undefined ? ['-s', String(opts.size)] : []), ...(opts.dontFragment ? ['-M', 'do'] : [])];
  const how = opts.size !== undefined || opts.dontFragment ? ` [${opts.size ?? 56} bytes${opts.dontFragment ? ', DF' : ''}]` : '';
  return reporter.step(`ping ${from} → ${label} (${ip})${how}`, async () => {
    const r = await run(['ping', '-n', '-q', '-c', String(count), '-i', String(interval), '-W', String(wait), ...extra, ip], {
      netns,
      reject: false,
      timeoutMs: (count * interval + wait) * 1000 + 10_000,
    });
    if (r.exitCode > 1) {
      throw new HarnessError(`ping ${label} (${ip}) from ${from} could not run (exit ${r.exitCode}): ${r.stderr.trim()}`);
    }
    const stats = { ...parsePing(label, r.stdout + r.stderr), target: `${label} (${ip})` };
    await reporter.attach(`ping ${from} → ${label}: ${formatPing(stats)}`, stats.output, 'text/plain');
    return stats;
  });
}
