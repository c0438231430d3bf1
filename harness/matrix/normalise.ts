import { isIpv4, parseCidr, parseIpv4 } from '../sys/ipv4.ts';

/**
 * Makes dataplane text comparable across runs and variants: what differs by chance
 * (MACs, interface indexes, run ids, random veth names, the subnet flannel leased to each
 * worker) becomes a stable name; what a config changes (routes, devices, MTUs, VNIs) stays.
 */
export interface NormaliseContext {
  runId: string;
  /** MAC address → owner ("C0w1 flannel.100"), from every namespace's links. */
  macs: Map<string, string>;
  /** Worker full name → its flannel subnet (11.10.16.1/20). */
  subnets: Map<string, string>;
}

const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

export function normalise(text: string, ctx: NormaliseContext): string[] {
  const nets = [...ctx.subnets].map(([worker, cidr]) => ({ worker, net: parseCidr(cidr) }));
  const out = text
    .split('\n')
    .map((line) =>
      line
        .replaceAll(`kn-${ctx.runId}-`, 'kn-RUN-')
        .replace(MAC, (m) => {
          const lower = m.toLowerCase();
          if (lower.startsWith('33:33:ff:')) {
            // IPv6 solicited-node multicast: named after the link whose MAC ends the same.
            const owner = [...ctx.macs].find(([mac]) => mac.endsWith(lower.slice(8)))?.[1];
            return owner ? `<solicited-node ${owner}>` : '33:33:ff:*';
          }
          if (lower === 'ff:ff:ff:ff:ff:ff' || lower === '00:00:00:00:00:00' || lower.startsWith('33:33:') || lower.startsWith('01:00:5e:')) return lower;
          const owner = ctx.macs.get(lower);
          return owner ? `<mac ${owner}>` : '<mac ?>';
        })
        .replace(/@if\d+/g, '@if*')
        .replace(/\bif\d+\b/g, 'if*')
        .replace(/\bveth[0-9a-f]{8}\b/g, 'veth*')
        .replace(/\b(handle|index) \d+/g, '$1 *')
        .replace(IPV4, (ip) => {
          if (!isIpv4(ip)) return ip;
          const v = parseIpv4(ip);
          for (const { worker, net } of nets) {
            const size = 2 ** (32 - net.prefix);
            if (v >= net.base && v < net.base + size) return `{${worker}}+${v - net.base}`;
          }
          return ip;
        })
        .trimEnd(),
    )
    .filter((l) => l.trim() !== '');
  // Order of entries (fdb, neighbours, veths) follows creation order, which races: compare sorted.
  return out.sort();
}
