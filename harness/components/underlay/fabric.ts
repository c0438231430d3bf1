import type { Ledger } from '../../sys/ledger.ts';
import { createNetns, ipBatch } from '../../sys/netns.ts';
import { run } from '../../sys/exec.ts';

/**
 * The L2 fabric of a simulation, all inside namespaces it owns: one "underlay" namespace
 * holding a bridge per cluster and a top bridge joining them; every host (worker or etcd
 * member) a namespace with a veth to its cluster's bridge. Mininet's switches and links,
 * made with iproute2.
 */
export interface FabricHost {
  /** Namespace of the host. */
  netns: string;
  /** Name of the underlay end of its veth (C0w1, C0-e1): at most 15 characters. */
  port: string;
  cluster: string;
  /** Address with prefix, e.g. 10.0.0.1/16. */
  address: string;
  /** Whether the host forwards packets (workers do: pods route through them). */
  forwarding: boolean;
  /** IPv6 address with prefix (dual-stack workers: flannel's IPv6 VXLAN runs over it). */
  address6?: string;
}

export interface FabricPlan {
  underlayNetns: string;
  clusters: readonly string[];
  hosts: readonly FabricHost[];
}

/** Name of the host side of every uplink. */
export const UPLINK = 'eth0';
export const TOP_BRIDGE = 'br-top';
export const clusterBridge = (cluster: string) => `br-${cluster}`;

export async function buildFabric(ledger: Ledger, plan: FabricPlan): Promise<void> {
  await createNetns(ledger, [plan.underlayNetns, ...plan.hosts.map((h) => h.netns)]);

  const ul: string[] = [`link add ${TOP_BRIDGE} type bridge`, `link set ${TOP_BRIDGE} up`];
  for (const c of plan.clusters) {
    const br = clusterBridge(c);
    ul.push(
      `link add ${br} type bridge`,
      `link set ${br} up`,
      `link add t-${c} type veth peer name u-${c}`,
      `link set t-${c} master ${TOP_BRIDGE} up`,
      `link set u-${c} master ${br} up`,
    );
  }
  for (const h of plan.hosts) {
    ul.push(
      `link add ${h.port} type veth peer name ${UPLINK} netns ${h.netns}`,
      `link set ${h.port} master ${clusterBridge(h.cluster)} up`,
    );
  }
  await ipBatch(ul, { netns: plan.underlayNetns });

  await Promise.all(
    plan.hosts.map(async (h) => {
      // nodad: the address is usable at once (no duplicate address detection on a fabric we number ourselves).
      const v6 = h.address6 ? [`addr add ${h.address6} dev ${UPLINK} nodad`] : [];
      await ipBatch([`addr add ${h.address} brd + dev ${UPLINK}`, ...v6, `link set ${UPLINK} up`], { netns: h.netns });
      if (h.forwarding) {
        const v6fwd = h.address6 ? ['net.ipv6.conf.all.forwarding=1'] : [];
        await run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', ...v6fwd], { netns: h.netns });
      }
    }),
  );
}
