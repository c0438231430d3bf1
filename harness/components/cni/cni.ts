import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import { run } from '../../sys/exec.ts';
import { cniPath, toolPath } from '../tools/tool-paths.ts';
import { cniDelegateOptions } from './delegate-options.ts';

/**
 * A worker's CNI setup: a network config for the flannel plugin (which delegates to the
 * bridge plugin with host-local IPAM), every state folder inside the run directory, and
 * the real `cnitool` run inside the worker's namespace to add and delete pods.
 */
export interface CniNetworkOptions {
  /** Network name: the worker's full name (C0w1), as knetsim names it. */
  name: string;
  workerNetns: string;
  subnetFile: string;
  dir: string;
}

export interface CniResult {
  /** The pod's address without prefix (11.10.16.2). */
  ip: string;
  cidr: string;
  gateway: string | undefined;
  /** The pod's IPv6 address without prefix, on dual-stack clusters (the flannel plugin's second range). */
  ip6?: string;
  gateway6?: string;
  /** cnitool's JSON, kept as evidence. */
  raw: unknown;
}

export const CNI_VERSION = '0.4.0';

export class CniNetwork {
  readonly confDir: string;

  constructor(readonly options: CniNetworkOptions) {
    this.confDir = join(options.dir, 'net.d');
    mkdirSync(this.confDir, { recursive: true });
    writeFileSync(join(this.confDir, '10-flannel.conf'), JSON.stringify(this.config(), null, 2));
  }

  /** The flannel plugin's config, as the deck shows it, with state kept in the run directory. */
  config(): Record<string, unknown> {
    return {
      cniVersion: CNI_VERSION,
      name: this.options.name,
      type: 'flannel',
      subnetFile: this.options.subnetFile,
      dataDir: join(this.options.dir, 'flannel'),
      ipam: { dataDir: join(this.options.dir, 'ipam') },
      delegate: cniDelegateOptions(),
    };
  }

  private env(ifname: string): Record<string, string> {
    return { CNI_PATH: cniPath(), NETCONFPATH: this.confDir, CNI_IFNAME: ifname };
  }

  /** `cnitool add` for a pod namespace; returns its address. */
  async add(podNetns: string, ifname = 'eth0'): Promise<CniResult> {
    const r = await run([toolPath('cnitool'), 'add', this.options.name, `/run/netns/${podNetns}`], {
      netns: this.options.workerNetns,
      env: this.env(ifname),
      timeoutMs: 30_000,
    });
    return parseCniResult(r.stdout, podNetns);
  }

  /** `cnitool del`: releases the address and removes the veth. */
  async del(podNetns: string, ifname = 'eth0'): Promise<void> {
    await run([toolPath('cnitool'), 'del', this.options.name, `/run/netns/${podNetns}`], {
      netns: this.options.workerNetns,
      env: this.env(ifname),
      timeoutMs: 30_000,
    });
  }
}

export function parseCniResult(stdout: string, podNetns: string): CniResult {
  let raw: { ips?: { address?: string; gateway?: string }[] };
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new HarnessError(`cnitool add for ${podNetns} printed no JSON result:\n${stdout.slice(0, 500)}`);
  }
  const first = raw.ips?.find((i) => i.address && !i.address.includes(':'));
  if (!first?.address) throw new HarnessError(`cnitool add for ${podNetns} returned no IPv4 address:\n${stdout.slice(0, 500)}`);
  const v6 = raw.ips?.find((i) => i.address?.includes(':'));
  return {
    ip: first.address.split('/')[0]!,
    cidr: first.address,
    gateway: first.gateway,
    ...(v6?.address ? { ip6: v6.address.split('/')[0]!, ...(v6.gateway ? { gateway6: v6.gateway } : {}) } : {}),
    raw,
  };
}
