import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Ledger } from '../../sys/ledger.ts';
import { silentReporter, type Reporter } from '../../sys/reporter.ts';
import type { FlannelNetworkConfig } from '../flannel/network-config.ts';
import { DEFAULT_VXLAN_PORTS } from '../../packets/vxlan.ts';
import { parseCaptureOptions, type CaptureOptions } from './capture-options.ts';
import { Capture } from './tcpdump-capture.ts';

/** What a capture needs of a simulation (structural: components do not import the model). */
export interface CaptureHost {
  runDir: string;
  ledger: Ledger;
  reporter?: Reporter;
  topology: { clusters: readonly { flannel: FlannelNetworkConfig }[] };
}

/** 8472 and 4789, plus every VXLAN port a cluster of the topology configures. */
export function vxlanPortsOf(host: Pick<CaptureHost, 'topology'>): number[] {
  const ports = new Set<number>(DEFAULT_VXLAN_PORTS);
  for (const c of host.topology.clusters) if (c.flannel.Backend.Type === 'vxlan') ports.add(c.flannel.Backend.Port);
  return [...ports];
}

/** `<runDir>/captures/<n>-<label>.pcap`, with n the first number not yet taken. */
export function nextCaptureFile(runDir: string, label: string): { file: string; logFile: string } {
  const dir = join(runDir, 'captures');
  mkdirSync(dir, { recursive: true });
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '_');
  for (let n = 1; ; n++) {
    const base = join(dir, `${n}-${safe}`);
    if (!existsSync(`${base}.pcap`) && !existsSync(`${base}.log`)) return { file: `${base}.pcap`, logFile: `${base}.log` };
  }
}

/**
 * Starts tcpdump in any namespace of a simulation: a worker, a pod, or the underlay
 * (`captureIn(sim, sim.underlayNetns, { iface: 'br-C0' })`). Resolves once tcpdump listens.
 */
export async function captureIn(host: CaptureHost, netns: string, opts: CaptureOptions = {}, who?: string): Promise<Capture> {
  const options = parseCaptureOptions(opts);
  const label = `${options.label ?? who ?? netns} ${options.iface}`;
  const { file, logFile } = nextCaptureFile(host.runDir, label);
  const reporter = host.reporter ?? silentReporter;
  const filter = options.filter ? ` filter "${options.filter}"` : '';
  return reporter.step(`capture on ${label}${filter}`, () =>
    Capture.start(host.ledger, { label, netns, file, logFile, options, vxlanPorts: vxlanPortsOf(host), reporter }),
  );
}
