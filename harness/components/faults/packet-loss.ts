import { run } from '../../sys/exec.ts';
import type { Direction } from './fault-options.ts';

/** Our nft tables start with this, one per link with a loss fault. */
export const FAULT_TABLE_PREFIX = 'knetsim_fault';

/** Resolution of the random draw: 10000 gives fractions to 0.01 %. */
const SCALE = 10_000;

export function lossTableName(port: string): string {
  return `${FAULT_TABLE_PREFIX}_loss_${port.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The nft ruleset that drops `fraction` of the frames a bridge forwards to (`oifname`)
 * and/or from (`iifname`) a port, drawn with `numgen random` (works without netem). The
 * bridge family sees bridged frames without br_netfilter. "ingress" means toward the
 * target behind the port, i.e. out of the port.
 */
export function lossRuleset(port: string, fraction: number, direction: Direction): string {
  const threshold = Math.round(fraction * SCALE);
  const rule = (match: string) => `    ${match} "${port}" numgen random mod ${SCALE} < ${threshold} counter drop`;
  const rules: string[] = [];
  if (direction !== 'egress') rules.push(rule('oifname'));
  if (direction !== 'ingress') rules.push(rule('iifname'));
  return [
    `table bridge ${lossTableName(port)} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function addLoss(netns: string, port: string, fraction: number, direction: Direction): Promise<void> {
  await run(['nft', '-f', '-'], { netns, input: lossRuleset(port, fraction, direction) });
}

/** Frames the loss rules dropped so far (from their counters). */
export async function lossDropped(netns: string, port: string): Promise<number> {
  const r = await run(['nft', '-j', 'list', 'table', 'bridge', lossTableName(port)], { netns });
  let n = 0;
  for (const item of (JSON.parse(r.stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables) {
    for (const e of item.rule?.expr ?? []) n += e.counter?.packets ?? 0;
  }
  return n;
}

export async function removeLoss(netns: string, port: string): Promise<void> {
  await run(['nft', 'delete', 'table', 'bridge', lossTableName(port)], { netns, reject: false });
}
