import { run } from '../../sys/exec.ts';
import { FAULT_TABLE_PREFIX } from './packet-loss.ts';

export function vniTableName(port: string): string {
  return `${FAULT_TABLE_PREFIX}_vni_${port.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The nft ruleset (bridge family, on the underlay) that rewrites the VNI of every VXLAN
 * packet a worker sends: as if that worker's flannel had another VNI. The VNI is the 24
 * bits at offset 32 of the VXLAN header, which follows the 8-byte UDP header (@th,96,24).
 */
export function wrongVniRuleset(port: string, udpPort: number, vni: number): string {
  return [
    `table bridge ${vniTableName(port)} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    `    iifname "${port}" ether type ip udp dport ${udpPort} @th,96,24 set ${vni} counter`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function addWrongVni(netns: string, port: string, udpPort: number, vni: number): Promise<void> {
  await run(['nft', '-f', '-'], { netns, input: wrongVniRuleset(port, udpPort, vni) });
}

export async function removeWrongVni(netns: string, port: string): Promise<void> {
  await run(['nft', 'delete', 'table', 'bridge', vniTableName(port)], { netns, reject: false });
}
