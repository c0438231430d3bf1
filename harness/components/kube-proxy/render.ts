import type { StoredEndpoint, StoredPort, StoredService } from './store.ts';

/** The one table the agent owns in each worker's namespace. */
export const TABLE_FAMILY = 'ip';
export const TABLE_NAME = 'knetsim';
/** Packet mark bit asking the `masquerading` chain to SNAT (kube-proxy uses the same bit). */
export const MASQ_MARK = '0x4000';

export interface ServiceState {
  service: StoredService;
  endpoints: readonly StoredEndpoint[];
}

export interface NodeInfo {
  /** This worker's pod subnet (flannel's FLANNEL_SUBNET): clients here reaching a local endpoint are masqueraded. */
  podSubnet: string;
}

/** Chain names, in kube-proxy's nftables layout (`service-…`, `endpoint-…`, `external-…`). */
export const chainNames = {
  service: (svc: string, port?: StoredPort) => `service-${svc}${port ? `/${port.protocol}/${port.port}` : ''}`,
  external: (svc: string, port: StoredPort) => `external-${svc}/${port.protocol}/${port.port}`,
  endpoint: (svc: string, port: StoredPort | undefined, ip: string) =>
    `endpoint-${svc}${port ? `/${port.protocol}/${port.port}` : ''}__${ip}${port ? `/${port.targetPort}` : ''}`,
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
  units: Map<string, ServiceUnit>;
}

const MAPS: [string, string, 'map' | 'set'][] = [
  ['service-ips', 'ipv4_addr . inet_proto . inet_service : verdict', 'map'],
  ['service-vips', 'ipv4_addr : verdict', 'map'],
  ['service-nodeports', 'inet_proto . inet_service : verdict', 'map'],
  ['no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict', 'map'],
  ['no-endpoint-vips', 'ipv4_addr', 'set'],
];

/** What each service contributes, computed from schema-checked stored specs only. */
export function planRuleset(states: readonly ServiceState[], node: NodeInfo): RulesetPlan {
  const units = new Map<string, ServiceUnit>();
  const sorted = [...states].sort((a, b) => a.service.name.localeCompare(b.service.name));
  for (const { service: svc, endpoints } of sorted) {
    const unit: ServiceUnit = { elements: [], sets: [], chains: [] };
    const ready = endpoints.filter((e) => e.ready);
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
          unit.sets.push([set, `type ipv4_addr ; flags dynamic,timeout ; timeout ${svc.affinityTimeoutSeconds}s ;`]);
          rules.push(`ip saddr @${set} goto ${ep}`);
        }
      }
      const vmap = endpointChains.map((ep, i) => `${i} : goto ${ep}`).join(', ');
      const pickExpr = svc.pick === 'knetsim' ? 'jhash ip checksum' : 'numgen random';
      rules.push(`${pickExpr} mod ${endpointChains.length} vmap { ${vmap} }`);
      unit.chains.push([serviceChain, rules]);

      ready.forEach((e, i) => {
        const ep = endpointChains[i]!;
        const epRules: string[] = [];
        // Hairpin and same-worker clients: without SNAT the reply would skip the un-DNAT.
        if (inSubnet(e.ip, node.podSubnet)) epRules.push(`ip saddr ${node.podSubnet} jump mark-for-masquerade`);
        if (svc.affinityTimeoutSeconds !== undefined) epRules.push(`update @${chainNames.affinity(ep)} { ip saddr }`);
        epRules.push('counter');
        epRules.push(port ? `meta l4proto ${port.protocol} dnat to ${e.ip}:${port.targetPort}` : `dnat to ${e.ip}`);
        unit.chains.push([ep, epRules]);
      });
    }
    units.set(svc.name, unit);
  }
  return { units };
}

const BASE_CHAINS: [string, string[]][] = [
  ['prerouting', ['type nat hook prerouting priority -100 ; policy accept ;', 'jump services']],
  ['output', ['type nat hook output priority -100 ; policy accept ;', 'jump services']],
  ['postrouting', ['type nat hook postrouting priority 100 ; policy accept ;', 'jump masquerading']],
  ['filter-forward', ['type filter hook forward priority -110 ; policy accept ;', 'ct state new jump service-endpoints-check']],
  ['filter-output', ['type filter hook output priority -110 ; policy accept ;', 'ct state new jump service-endpoints-check']],
  ['service-endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services', 'ip daddr @no-endpoint-vips goto reject-chain']],
  ['reject-chain', ['reject']],
  ['masquerading', [`meta mark & ${MASQ_MARK} == 0 return`, `meta mark set meta mark ^ ${MASQ_MARK}`, 'masquerade fully-random']],
  ['mark-for-masquerade', [`meta mark set meta mark | ${MASQ_MARK}`]],
  [
    'services',
    [
      'ip daddr . meta l4proto . th dport vmap @service-ips',
      'ip daddr vmap @service-vips',
      'ip daddr != 127.0.0.0/8 fib daddr type local jump nodeports',
    ],
  ],
  ['nodeports', ['meta l4proto . th dport vmap @service-nodeports']],
];

const ID = `${TABLE_FAMILY} ${TABLE_NAME}`;
const elementText = (e: Element) => (e.value ? `${e.key} : ${e.value}` : e.key);

/**
 * Renders the whole `table ip knetsim` as one nft script: create-if-missing, delete,
 * re-add, so `nft -f -` applies it as one atomic transaction.
 */
export function renderFull(plan: RulesetPlan): string {
  const units = [...plan.units.values()];
  const maps = MAPS.map(([name, type, kind]) => {
    const els = units.flatMap((u) => u.elements.filter((e) => e.map === name).map(elementText));
    return `${kind} ${name} { type ${type} ;${els.length ? ` elements = { ${els.join(', ')} } ;` : ''} }`;
  });
  const sets = units.flatMap((u) => u.sets.map(([name, body]) => `set ${name} { ${body} }`));
  const chains = [...BASE_CHAINS, ...units.flatMap((u) => u.chains)].map(([name, rules]) => chain(name, rules));
  return [`table ${ID}`, `delete table ${ID}`, `table ${ID} {`, ...[...maps, ...sets, ...chains].map((l) => `\t${l}`), '}', ''].join('\n');
}

/**
 * Renders only what changed between two plans, as one transaction (kube-proxy's partial
 * sync): unchanged services are not touched, so their counters and affinity entries stay
 * and a change costs the same whatever the number of services.
 */
export function renderDelta(prev: RulesetPlan, next: RulesetPlan): string {
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

/** The whole table for these services (renderFull of planRuleset). */
export function renderRuleset(states: readonly ServiceState[], node: NodeInfo): string {
  return renderFull(planRuleset(states, node));
}

function chain(name: string, rules: readonly string[]): string {
  return `chain ${name} {\n${rules.map((r) => `\t\t${r}`).join('\n')}\n\t}`;
}

function inSubnet(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const toNum = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((toNum(ip) & mask) >>> 0) === ((toNum(base!) & mask) >>> 0);
}
