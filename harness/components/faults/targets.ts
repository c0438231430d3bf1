import type { EtcdCluster } from '../etcd/etcd-cluster.ts';
import type { Flanneld } from '../flannel/flanneld.ts';
import { clusterBridge, TOP_BRIDGE, UPLINK } from '../underlay/fabric.ts';

/**
 * The shapes faults act on, as structural types: the model's Worker and Cluster fit them,
 * and this component imports nothing from the model above it.
 */
export interface FaultWorker {
  readonly fullName: string;
  readonly netns: string;
  readonly flanneld: Flanneld;
  readonly cluster: { readonly name: string };
}

export interface FaultCluster {
  readonly name: string;
  readonly etcd: EtcdCluster;
  listWorkers(): readonly FaultWorker[];
}

/** A link of the fabric, named by the bridge port at its underlay end. */
export interface UnderlayLink {
  /** The port in the underlay namespace: C0w1 (a worker's uplink) or t-C0 (a cluster's link to br-top). */
  port: string;
  /** The bridge the port is on. */
  bridge: string;
  /** For messages: "uplink of C0w1", "link of C0 to the top switch". */
  label: string;
}

export function isWorker(t: FaultWorker | FaultCluster): t is FaultWorker {
  return 'flanneld' in t;
}

/** A worker's uplink (port C0w1 on br-C0) or a cluster's link to the top switch (t-C0 on br-top). */
export function underlayLink(target: FaultWorker | FaultCluster): UnderlayLink {
  if (isWorker(target)) {
    return { port: target.fullName, bridge: clusterBridge(target.cluster.name), label: `uplink of ${target.fullName}` };
  }
  return { port: `t-${target.name}`, bridge: TOP_BRIDGE, label: `link of ${target.name} to ${TOP_BRIDGE}` };
}

/** The worker's own end of its uplink, inside its namespace. */
export const WORKER_UPLINK = UPLINK;
