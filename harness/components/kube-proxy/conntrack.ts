import type { ServiceState, TableFamily } from './render.ts';

/**
 * Stale UDP conntrack entries, found and cleared the way kube-proxy does after each sync
 * (its pkg/proxy/conntrack): UDP has no connection to end, so an entry DNATed to an
 * endpoint that is gone keeps sending a client's datagrams there until it times out
 * (30 s, 120 s once both sides spoke). For every UDP service port with at least one ready
 * endpoint, an entry to VIP:port (or to any address's nodePort) whose reply comes from
 * an address that is not a ready endpoint is deleted. Services without endpoints are left
 * alone (their traffic is rejected anyway).
 */

/** One flow as `conntrack -L` prints it: the original direction, then the reply. */
export interface Flow {
  proto: string;
  origSrc: string;
  origDst: string;
  origSport: number;
  origDport: number;
  replySrc: string;
  replySport: number;
}

/** Parses `conntrack -L` text output (one flow a line; other lines ignored). */
export function parseConntrack(text: string): Flow[] {
  const out: Flow[] = [];
  for (const line of text.split('\n')) {
    const proto = /^(\w+)\s+\d+/.exec(line)?.[1];
    if (!proto) continue;
    const vals = (key: string) => [...line.matchAll(new RegExp(`\\b${key}=(\\S+)`, 'g'))].map((m) => m[1]!);
    const [src, dst, sport, dport] = [vals('src'), vals('dst'), vals('sport'), vals('dport')];
    if (src.length < 2 || dst.length < 2 || sport.length < 2 || dport.length < 2) continue;
    out.push({
      proto,
      origSrc: src[0]!,
      origDst: dst[0]!,
      origSport: Number(sport[0]),
      origDport: Number(dport[0]),
      replySrc: src[1]!,
      replySport: Number(sport[1]),
    });
  }
  return out;
}

/** A `conntrack -D` filter: argv after `conntrack -D`. */
export type ConntrackDelete = string[];

/** The deletions that clear every stale UDP flow of these services, for one family. */
export function staleUdpDeletes(flows: readonly Flow[], states: readonly ServiceState[], family: TableFamily): ConntrackDelete[] {
  const byVipPort = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  for (const { service, endpoints } of states) {
    const vip = family === 'ip' ? service.vip : service.vip6;
    const ready = new Set(endpoints.flatMap((e) => (e.ready ? [family === 'ip' ? e.ip : e.ip6] : [])).filter((ip): ip is string => ip !== undefined));
    if (ready.size === 0) continue;
    for (const p of service.ports) {
      if (p.protocol !== 'udp') continue;
      if (vip) byVipPort.set(`${vip}|${p.port}`, ready);
      if (p.nodePort !== undefined) byNodePort.set(p.nodePort, ready);
    }
  }
  const fam = family === 'ip' ? 'ipv4' : 'ipv6';
  const out = new Map<string, ConntrackDelete>();
  for (const f of flows) {
    if (f.proto !== 'udp' || f.origDst.includes(':') !== (family === 'ip6')) continue;
    const viaVip = byVipPort.get(`${f.origDst}|${f.origDport}`);
    if (viaVip && !viaVip.has(f.replySrc)) {
      const argv = ['-f', fam, '-p', 'udp', '--orig-dst', f.origDst, '--orig-port-dst', String(f.origDport), '--reply-src', f.replySrc];
      out.set(argv.join(' '), argv);
    }
    const viaNode = byNodePort.get(f.origDport);
    if (viaNode && !viaNode.has(f.replySrc)) {
      const argv = ['-f', fam, '-p', 'udp', '--orig-port-dst', String(f.origDport), '--reply-src', f.replySrc];
      out.set(argv.join(' '), argv);
    }
  }
  return [...out.values()];
}

/** Whether any of these services has a UDP port (else there is nothing to reconcile). */
export function hasUdp(states: readonly ServiceState[]): boolean {
  return states.some((s) => s.service.ports.some((p) => p.protocol === 'udp'));
}
