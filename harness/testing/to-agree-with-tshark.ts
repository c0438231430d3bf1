import type { MatcherState } from '@vitest/expect';
import { compareWithTshark, type TsharkDifference } from '../packets/tshark-compare.ts';

interface PcapHolder {
  file: string;
  spec?: { vxlanPorts?: readonly number[] };
}

/** A pcap path, or a capture (its file, decoded with its VXLAN ports). */
function pcapOf(v: unknown): { file: string; ports: readonly number[] } | undefined {
  if (typeof v === 'string' && v.length > 0) return { file: v, ports: [] };
  if (typeof v === 'object' && v !== null && typeof (v as PcapHolder).file === 'string') {
    return { file: (v as PcapHolder).file, ports: (v as PcapHolder).spec?.vxlanPorts ?? [] };
  }
  return undefined;
}

/** Differences shown in the failure message. */
const SHOWN = 5;

function formatDifference(d: TsharkDifference): string {
  const lines = [`  packet ${d.index}:`];
  if (d.malformed) lines.push(`    ours is malformed: ${d.malformed}`);
  lines.push(`    ours:   ${JSON.stringify(d.ours)}`, `    tshark: ${JSON.stringify(d.theirs)}`);
  return lines.join('\n');
}

/**
 * `await expect(capture | 'file.pcap').toAgreeWithTshark({ vxlanPorts })`: the pcap read by
 * `tshark -T json -d udp.port==P,vxlan` and by our decoders gives the same addresses, ports,
 * VNI, protocols, ICMP types and TCP flags for every packet. Await it.
 */
export async function toAgreeWithTshark(this: MatcherState, received: unknown, opts: { vxlanPorts?: readonly number[] } = {}) {
  const hint = this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toAgreeWithTshark`, 'pcap', '', { isNot: this.isNot });
  const pcap = pcapOf(received);
  if (!pcap) {
    throw new TypeError(`${hint}\n\nMatcher error: received value must be a capture or a pcap file path\nReceived: ${this.utils.printReceived(received)}`);
  }
  const r = await compareWithTshark(pcap.file, [...pcap.ports, ...(opts.vxlanPorts ?? [])]);
  const pass = r.differences.length === 0 && r.count.ours === r.count.theirs;
  const summary = `${r.count.ours} packets decoded by us, ${r.count.theirs} by tshark, ${r.differences.length} differing`;
  return {
    pass,
    actual: summary,
    expected: 'no differences',
    message: () =>
      `${hint}\n\n${r.file}: ${summary}` +
      (r.differences.length ? `\n${r.differences.slice(0, SHOWN).map(formatDifference).join('\n')}` : ''),
  };
}
