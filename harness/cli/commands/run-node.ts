import { existsSync } from 'node:fs';
import { vxlanPortsOf } from '../../components/capture/capture-in.ts';
import { readRunState, type RunState } from '../../model/run-state.ts';
import { loadTopology } from '../../model/topology.ts';
import { HarnessError } from '../../sys/errors.ts';
import { readMeta } from '../../sys/ledger.ts';
import { runDirOf } from '../../sys/run-dir.ts';
import { DEFAULT_VXLAN_PORTS } from '../../packets/vxlan.ts';

/** The name `underlay` stands for the namespace of a run's bridges (br-C0, br-top). */
export const UNDERLAY_NODE = 'underlay';

export interface RunNode {
  kind: 'worker' | 'pod' | 'underlay';
  label: string;
  netns: string;
  /** The worker's or pod's address (the underlay has none). */
  ip?: string;
}

/** The state.json of a live run, or an error saying there is none. */
export function requireRunState(runId: string): RunState {
  const state = readRunState(runDirOf(runId));
  if (!state) throw new HarnessError(`no running simulation "${runId}" (see knetsim ls)`);
  return state;
}

/** A worker (C0w1), a pod (C0w1:c1 or C0:c1), or `underlay` of a run. */
export function findRunNode(state: RunState, name: string): RunNode | undefined {
  if (name === UNDERLAY_NODE) return { kind: 'underlay', label: UNDERLAY_NODE, netns: state.underlayNetns };
  const [node, pod] = name.split(':', 2);
  for (const c of state.clusters) {
    if (pod === undefined) {
      const w = c.workers.find((w) => w.fullName === node);
      if (w) return { kind: 'worker', label: w.fullName, netns: w.netns, ip: w.ip };
    } else {
      const p = c.pods.find((p) => p.name === pod && (p.worker === node || c.name === node));
      if (p) return { kind: 'pod', label: `${p.worker}:${p.name}`, netns: p.netns, ip: p.ip };
    }
  }
  return undefined;
}

/**
 * The VXLAN ports of a run: 8472 and 4789, plus what its topology file configures
 * (when the run was started from a file that is still there).
 */
export function runVxlanPorts(runId: string): number[] {
  const source = readMeta(runDirOf(runId))?.topology;
  if (!source || !existsSync(source)) return [...DEFAULT_VXLAN_PORTS];
  try {
    return vxlanPortsOf({ topology: loadTopology(source) });
  } catch {
    return [...DEFAULT_VXLAN_PORTS];
  }
}
