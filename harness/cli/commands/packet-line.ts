import type { Packet } from '../../packets/packet.ts';
import { summary } from '../../packets/summary.ts';

/** `    3 0.000412 10.0.0.1 → 10.0.0.2 UDP ... VXLAN vni=100 [...]`: number, seconds since the first packet, summary. */
export function packetLine(p: Packet, t0: number): string {
  return `${String(p.index).padStart(5)} ${(p.time - t0).toFixed(6)} ${summary(p)}`;
}

/** One JSON object per packet (`--json`): every decoded layer, bytes left out. */
export function packetJson(p: Packet): string {
  return JSON.stringify(p, (key, v: unknown) => (key === 'data' ? undefined : v));
}
