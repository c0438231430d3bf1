import type { StoredEndpoint, StoredPort, StoredService } from './store.ts';

/** The agent's table, one per address family as kube-proxy keeps them: `table ip knetsim`, `table ip6 knetsim`. */
export type TableFamily = 'ip' | 'ip6';
export const TABLE_FAMILIES: readonly TableFamily[] = ['ip', 'ip6'];
export const TABLE_NAME = 'knetsim';
/** Packet mark bit asking the `masquerading` chain to SNAT (kube-proxy uses the same bit). */
export const MASQ_MARK = '0x4000';

export interface ServiceState {
  service: StoredService;
  endpoints: readonly StoredEndpoint[];
}

/** What differs between the two tables: address type, match keyword, DNAT target syntax. */
interface FamilyWords {
  addr: 'ipv4_addr' | 'ipv6_addr';
  /** `ip` or `ip6`, as in `ip saddr`. */
  match: TableFamily;
  localhost: string;
  vip(svc: StoredService): string | undefined;
  endpointIp(e: StoredEndpoint): string | undefined;
  dnat(ip: string, port?: number): string;
}

const FAMILY: Record<TableFamily, FamilyWords> = {
  ip: {
    addr: 'ipv4_addr',
    match: 'ip',
    localhost: '127.0.0.0/8',
    vip: (s) => s.vip,
    endpointIp: (e) => e.ip,
    dnat: (ip, port) => (port === undefined ? ip : `${ip}:${port}`),
  },
  ip6: {
    addr: 'ipv6_addr',
    match: 'ip6',
    localhost: '::1',
    vip: (s) => s.vip6,
    endpointIp: (e) => e.ip6,
    dnat: (ip, port) => (port === undefined ? ip : `[${ip}]:${port}`),
  },
};

/** Chain names, in kube-proxy's nftables layout (`service-…`, `endpoint-…`, `external-…`); IPv6 colons written as dots, as kube-proxy does. */
export const chainNames = {
  service: (svc: string, port?: StoredPort) => `service-${svc}${port ? `/${port.protocol}/${port.port}` : ''}`,
  external: (svc: string, port: StoredPort) => `external-${svc}/${port.protocol}/${port.port}`,
  endpoint: (svc: string, port: StoredPort | undefined, ip: string) =>
    `endpoint-${svc}${port ? `/${port.protocol}/${port.port}` : ''}__${ip.replaceAll(':', '.')}${port ? `/${port.targetPort}` : ''}`,
  affinity: (endpointChain: string) => `affinity-${endpointChain.slice('endpoint-'.length)}`,
};

/** An element of one of the base maps/sets: `key` (and ` : value` for maps). */
export interface Element {
  map: string;
  key: string;
  value?: string;
}

/** Everything one service adds to the table; services are replaced unit by unit. */
export interface ServiceUnit {
  elements: Element[];
  /** Affinity sets: name → declaration body. */
  sets: [string, string][];
  /** Chains in dependency order: a chain only jumps to chains listed after it. */
  chains: [string, string[]][];
}

export interface RulesetPlan {
  family: TableFamily;
  units: Map<string, ServiceUnit>;
}

const maps = (addr: string): [string, string, 'map' | 'set'][] => [
  ['service-ips', `${addr} . inet_proto . inet_service : verdict`, 'map'],
  ['service-vips', `${addr} : verdict`, 'map'],
  ['service-nodeports', 'inet_proto . inet_service : verdict', 'map'],
  ['no-endpoint-services', `${addr} . inet_proto . inet_service : verdict`, 'map'],
  ['no-endpoint-vips', addr, 'set'],
];

/**
 * What each service contributes to one family's table, computed from schema-checked
 * stored specs only. A service without a VIP of this family (IPv4-only services in the
 * ip6 table) contributes nothing; in the ip6 table only endpoints with an IPv6 address count.
 */
export function planRuleset(states: readonly ServiceState[], family: TableFamily = 'ip'): RulesetPlan {
  const f = FAMILY[family];
  const units = new Map<string, ServiceUnit>();
  const sorted = [...states].sort((a, b) => a.service.name.localeCompare(b.service.name));
  for (const { service, endpoints } of sorted) {
    const vip = f.vip(service);
    if (vip === undefined) continue;
    const svc = { ...service, vip };
    const unit: ServiceUnit = { elements: [], sets: [], chains: [] };
    const ready = endpoints.flatMap((e) => {
      const ip = f.endpointIp(e);
      return e.ready && ip !== undefined ? [{ ...e, ip }] : [];
    });
    const ports: (StoredPort | undefined)[] = svc.ports.length ? svc.ports : [undefined];
    for (const port of ports) {
      const serviceChain = chainNames.service(svc.name, port);
      if (ready.length === 0) {
        if (port) unit.elements.push({ map: 'no-endpoint-services', key: `${svc.vip} . ${port.protocol} . ${port.port}`, value: 'goto reject-chain' });
        else unit.elements.push({ map: 'no-endpoint-vips', key: svc.vip });
        continue;
      }
      if (port) unit.elements.push({ map: 'service-ips', key: `${svc.vip} . ${port.protocol} . ${port.port}`, value: `goto ${serviceChain}` });
      else unit.elements.push({ map: 'service-vips', key: svc.vip, value: `goto ${serviceChain}` });
      if (port?.nodePort !== undefined) {
        const external = chainNames.external(svc.name, port);
        unit.elements.push({ map: 'service-nodeports', key: `${port.protocol} . ${port.nodePort}`, value: `goto ${external}` });
        unit.chains.push([external, ['jump mark-for-masquerade', `goto ${serviceChain}`]]);
      }
      const endpointChains = ready.map((e) => chainNames.endpoint(svc.name, port, e.ip));
      const rules: string[] = [];
      if (svc.affinityTimeoutSeconds !== undefined) {
        for (const ep of endpointChains) {
          const set = chainNames.affinity(ep);
          unit.sets.push([set, `type ${f.addr} ; flags dynamic,timeout ; timeout ${svc.affinityTimeoutSeconds}s ;`]);
          rules.push(`${f.match} saddr @${set} goto ${ep}`);
        }
      }
      const vmap = endpointChains.map((ep, i) => `${i} : goto ${ep}`).join(', ');
      // The deck's hash reads the IPv4 header checksum; IPv6 has none (the spec check refuses that pairing).
      const pickExpr = svc.pick === 'knetsim' && family === 'ip' ? 'jhash ip checksum' : 'numgen random';
      rules.push(`${pickExpr} mod ${endpointChains.length} vmap { ${vmap} }`);
      unit.chains.push([serviceChain, rules]);

      ready.forEach((e, i) => {
        const ep = endpointChains[i]!;
        const epRules: string[] = [];
        // Hairpin only, as kube-proxy: a pod reaching itself through the VIP is SNATed, or
        // its reply (to its own address) would never reach the un-DNAT. Every other client,
        // on this worker or another, keeps its source address.
        epRules.push(`${f.match} saddr ${e.ip} jump mark-for-masquerade`);
        if (svc.affinityTimeoutSeconds !== undefined) epRules.push(`update @${chainNames.affinity(ep)} { ${f.match} saddr }`);
        epRules.push('counter');
        epRules.push(port ? `meta l4proto ${port.protocol} dnat to ${f.dnat(e.ip, port.targetPort)}` : `dnat to ${f.dnat(e.ip)}`);
        unit.chains.push([ep, epRules]);
      });
    }
    units.set(svc.name, unit);
  }
  return { family, units };
}

const baseChains = (f: FamilyWords): [string, string[]][] => [
  ['prerouting', ['type nat hook prerouting priority -100 ; policy accept ;', 'jump services']],
  ['output', ['type nat hook output priority -100 ; policy accept ;', 'jump services']],
  ['postrouting', ['type nat hook postrouting priority 100 ; policy accept ;', 'jump masquerading']],
  ['filter-forward', ['type filter hook forward priority -110 ; policy accept ;', 'ct state new jump service-endpoints-check']],
  ['filter-output', ['type filter hook output priority -110 ; policy accept ;', 'ct state new jump service-endpoints-check']],
  ['service-endpoints-check', [`${f.match} daddr . meta l4proto . th dport vmap @no-endpoint-services`, `${f.match} daddr @no-endpoint-vips goto reject-chain`]],
  ['reject-chain', ['reject']],
  ['masquerading', [`meta mark & ${MASQ_MARK} == 0 return`, `meta mark set meta mark ^ ${MASQ_MARK}`, 'masquerade fully-random']],
  ['mark-for-masquerade', [`meta mark set meta mark | ${MASQ_MARK}`]],
  [
    'services',
    [
      `${f.match} daddr . meta l4proto . th dport vmap @service-ips`,
      `${f.match} daddr vmap @service-vips`,
      `${f.match} daddr != ${f.localhost} fib daddr type local jump nodeports`,
    ],
  ],
  ['nodeports', ['meta l4proto . th dport vmap @service-nodeports']],
];

const tableId = (family: TableFamily) => `${family} ${TABLE_NAME}`;
const elementText = (e: Element) => (e.value ? `${e.key} : ${e.value}` : e.key);

/**
 * Renders the whole `table <family> knetsim` as nft commands: create-if-missing, delete,
 * re-add, so `nft -f -` applies it as one atomic transaction (with the other family's).
 */
export function renderFull(plan: RulesetPlan): string {
  const f = FAMILY[plan.family];
  const ID = tableId(plan.family);
  const units = [...plan.units.values()];
  const declared = maps(f.addr).map(([name, type, kind]) => {
    const els = units.flatMap((u) => u.elements.filter((e) => e.map === name).map(elementText));
    return `${kind} ${name} { type ${type} ;${els.length ? ` elements = { ${els.join(', ')} } ;` : ''} }`;
  });
  const sets = units.flatMap((u) => u.sets.map(([name, body]) => `set ${name} { ${body} }`));
  const chains = [...baseChains(f), ...units.flatMap((u) => u.chains)].map(([name, rules]) => chain(name, rules));
  return [`table ${ID}`, `delete table ${ID}`, `table ${ID} {`, ...[...declared, ...sets, ...chains].map((l) => `\t${l}`), '}', ''].join('\n');
}

/**
 * Renders only what changed between two plans, as one transaction (kube-proxy's partial
 * sync): unchanged services are not touched, so their counters and affinity entries stay
 * and a change costs the same whatever the number of services.
 */
export function renderDelta(prev: RulesetPlan, next: RulesetPlan): string {
  if (prev.family !== next.family) throw new RangeError(`renderDelta: ${prev.family} plan against ${next.family} plan`);
  const ID = tableId(next.family);
  const out: string[] = [];
  const same = (a: ServiceUnit | undefined, b: ServiceUnit | undefined) => a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
  const changed = [...new Set([...prev.units.keys(), ...next.units.keys()])].filter((n) => !same(prev.units.get(n), next.units.get(n)));
  if (changed.length === 0) return '';
  const olds = changed.flatMap((n) => (prev.units.has(n) ? [prev.units.get(n)!] : []));
  const news = changed.flatMap((n) => (next.units.has(n) ? [next.units.get(n)!] : []));
  const newChains = new Set(news.flatMap((u) => u.chains.map(([c]) => c)));
  const newSets = new Map(news.flatMap((u) => u.sets));
  // 1. Unhook the old: map elements, then empty the old chains (drops jumps and set references).
  for (const e of olds.flatMap((u) => u.elements)) out.push(`delete element ${ID} ${e.map} { ${e.key} }`);
  for (const [c] of olds.flatMap((u) => u.chains)) out.push(`flush chain ${ID} ${c}`);
  // 2. Remove what the new plan no longer has.
  for (const [c] of olds.flatMap((u) => u.chains)) if (!newChains.has(c)) out.push(`delete chain ${ID} ${c}`);
  for (const [name, body] of olds.flatMap((u) => u.sets)) if (newSets.get(name) !== body) out.push(`delete set ${ID} ${name}`);
  const oldSets = new Map(olds.flatMap((u) => u.sets));
  // 3. Add the new: sets, chains (declared first so jumps resolve), rules, elements.
  for (const [name, body] of newSets) if (oldSets.get(name) !== body) out.push(`add set ${ID} ${name} { ${body} }`);
  for (const [c] of news.flatMap((u) => u.chains)) out.push(`add chain ${ID} ${c}`);
  for (const [c, rules] of news.flatMap((u) => u.chains)) for (const r of rules) out.push(`add rule ${ID} ${c} ${r}`);
  for (const e of news.flatMap((u) => u.elements)) out.push(`add element ${ID} ${e.map} { ${elementText(e)} }`);
  return out.join('\n') + '\n';
}

/** The whole table of one family for these services (renderFull of planRuleset). */
export function renderRuleset(states: readonly ServiceState[], family: TableFamily = 'ip'): string {
  return renderFull(planRuleset(states, family));
}

function chain(name: string, rules: readonly string[]): string {
  return `chain ${name} {\n${rules.map((r) => `\t\t${r}`).join('\n')}\n\t}`;
}
