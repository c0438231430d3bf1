import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';
import { toolPath } from '../tools/tool-paths.ts';
import { isDualStack, vxlanDevice, vxlanDevice6, type FlannelNetworkConfig } from './network-config.ts';

export const FLANNEL_ETCD_PREFIX = '/coreos.com/network';
export const FLANNEL_READY_TIMEOUT_MS = 20_000;

/** What flanneld writes to its subnet file (FLANNEL_NETWORK, FLANNEL_SUBNET, FLANNEL_MTU, ...). */
export interface SubnetEnv {
  network: string;
  subnet: string;
  mtu: number;
  ipMasq: boolean;
  /** FLANNEL_IPV6_NETWORK and FLANNEL_IPV6_SUBNET, on dual-stack clusters. */
  ipv6Network?: string;
  ipv6Subnet?: string;
}

/** Stores the network config where every flanneld of the cluster reads it. */
export async function writeNetworkConfig(kv: Etcd3, config: FlannelNetworkConfig): Promise<void> {
  await kv.put(`${FLANNEL_ETCD_PREFIX}/config`).value(JSON.stringify(config));
}

/** The leases flanneld holds in etcd: subnet (11.10.16.0-20) → the lease JSON. */
export async function readLeases(kv: Etcd3): Promise<Map<string, { PublicIP: string; BackendType?: string }>> {
  const all = await kv.getAll().prefix(`${FLANNEL_ETCD_PREFIX}/subnets/`).strings();
  const out = new Map<string, { PublicIP: string; BackendType?: string }>();
  for (const [key, value] of Object.entries(all)) {
    out.set(key.slice(`${FLANNEL_ETCD_PREFIX}/subnets/`.length), JSON.parse(value));
  }
  return out;
}

export interface FlanneldOptions {
  worker: string;
  netns: string;
  /** Interface flannel binds to (the worker's underlay uplink). */
  iface: string;
  etcdEndpoints: readonly string[];
  config: FlannelNetworkConfig;
  dir: string;
}

/**
 * flanneld picks a free subnet at random and claims it in an etcd transaction; when two
 * workers start together and pick the same one, the loser exits ("subnet already exists").
 * Kubernetes restarts it (the kube-flannel pod's restart policy); so do we, this many times.
 */
const LEASE_RACE_RESTARTS = 5;
const LEASE_RACE = /failed to acquire lease: subnet already exists/;

/** The real flanneld (built from github.com/flannel-io/flannel) in a worker's namespace. */
export class Flanneld {
  private restarts = 0;

  private constructor(
    readonly options: FlanneldOptions,
    private current: Daemon,
    private readonly ledger: Ledger,
  ) {}

  get daemon(): Daemon {
    return this.current;
  }

  /** Times flanneld was restarted after losing a lease race at start. */
  get leaseRaceRestarts(): number {
    return this.restarts;
  }

  get subnetFile(): string {
    return join(this.options.dir, 'subnet.env');
  }

  static start(ledger: Ledger, options: FlanneldOptions): Flanneld {
    mkdirSync(options.dir, { recursive: true });
    return new Flanneld(options, Flanneld.spawn(ledger, options), ledger);
  }

  private static spawn(ledger: Ledger, options: FlanneldOptions): Daemon {
    const subnetFile = join(options.dir, 'subnet.env');
    return Daemon.start(ledger, {
      name: `flanneld ${options.worker}`,
      netns: options.netns,
      logFile: join(options.dir, 'flanneld.log'),
      cwd: options.dir,
      argv: [
        toolPath('flannel'),
        `--etcd-endpoints=${options.etcdEndpoints.join(',')}`,
        `--etcd-prefix=${FLANNEL_ETCD_PREFIX}`,
        `--iface=${options.iface}`,
        `--subnet-file=${subnetFile}`,
        '--ip-masq=false',
        // The worker namespace has no iptables rules to keep; nothing else touches it.
        '--iptables-forward-rules=false',
      ],
    });
  }

  /** Ready when the subnet file exists and the backend's devices (flannel.<VNI>, flannel-v6.<VNI>) are up. */
  async waitReady(timeoutMs = FLANNEL_READY_TIMEOUT_MS): Promise<SubnetEnv> {
    const devices = [vxlanDevice(this.options.config), vxlanDevice6(this.options.config)].filter((d): d is string => d !== undefined);
    const dualStack = isDualStack(this.options.config);
    return waitFor(
      `flanneld on ${this.options.worker} to write ${this.subnetFile}${devices.length ? ` and bring ${devices.join(' and ')} up` : ''}`,
      async () => {
        if (!this.daemon.running) {
          if (this.restarts < LEASE_RACE_RESTARTS && LEASE_RACE.test(this.daemon.logTail(5))) {
            this.restarts++;
            this.current = Flanneld.spawn(this.ledger, this.options);
            return notYet(`restarted after losing a subnet lease race (${this.restarts})`);
          }
          throw new WaitAbort(this.daemon.error('exited before it was ready'));
        }
        if (!existsSync(this.subnetFile)) return notYet(`no subnet file; log: ${lastLine(this.daemon.logTail(1))}`);
        const env = parseSubnetEnv(readFileSync(this.subnetFile, 'utf8'));
        if (!env) return notYet('subnet file incomplete');
        if (dualStack && !env.ipv6Subnet) return notYet('subnet file has no FLANNEL_IPV6_SUBNET yet');
        for (const device of devices) {
          const r = await run(['ip', '-n', this.options.netns, '-j', 'link', 'show', 'dev', device], { reject: false });
          if (r.exitCode !== 0) return notYet(`no ${device} device yet`);
          const flags: string[] = (JSON.parse(r.stdout)[0]?.flags as string[] | undefined) ?? [];
          if (!flags.includes('UP')) return notYet(`${device} flags ${flags.join(',')}`);
        }
        return ready(env);
      },
      // Until the subnet file appears a probe is one stat: poll closely, start-up waits on it.
      { timeoutMs, intervalMs: 5, maxIntervalMs: 25 },
    ).catch((e: Error) => {
      throw e.name === 'TimeoutError' ? this.daemon.error(e.message) : e;
    });
  }

  /** Kills flanneld with SIGKILL (a crash): its routes, device and etcd lease stay behind. */
  async kill(): Promise<void> {
    await this.daemon.kill('SIGKILL');
  }

  /**
   * Starts a new flanneld with the same options (after stopping the current one, if it
   * still runs) and waits until it is ready. The old subnet file is removed first, so
   * readiness is observed from the new process; flanneld finds its lease in etcd by its
   * public IP and keeps it. The lease-race restarts of waitReady apply as at start.
   */
  async restart(timeoutMs = FLANNEL_READY_TIMEOUT_MS): Promise<SubnetEnv> {
    await this.daemon.stop();
    rmSync(this.subnetFile, { force: true });
    this.current = Flanneld.spawn(this.ledger, this.options);
    return this.waitReady(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
  }
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

export function parseSubnetEnv(text: string): SubnetEnv | undefined {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const network = kv.get('FLANNEL_NETWORK');
  const subnet = kv.get('FLANNEL_SUBNET');
  const mtu = Number(kv.get('FLANNEL_MTU'));
  if (!network || !subnet || !Number.isFinite(mtu)) return undefined;
  const ipv6Network = kv.get('FLANNEL_IPV6_NETWORK');
  const ipv6Subnet = kv.get('FLANNEL_IPV6_SUBNET');
  return {
    network,
    subnet,
    mtu,
    ipMasq: kv.get('FLANNEL_IPMASQ') === 'true',
    ...(ipv6Network ? { ipv6Network } : {}),
    ...(ipv6Subnet ? { ipv6Subnet } : {}),
  };
}
