import { z } from 'zod';
import { run } from '../../sys/exec.ts';
import { HarnessError } from '../../sys/errors.ts';
import { TABLE_NAME, type TableFamily } from './render.ts';

/**
 * The agent's table as `nft -j list table ip knetsim` (or ip6) reports it, read into what a test
 * checks: which VIPs the services maps hold, which endpoint chains a service chain picks
 * from (and how), where each endpoint chain DNATs to. Semantic, not a string compare.
 */

type Json = unknown;

const RuleSchema = z.object({ chain: z.string(), expr: z.array(z.unknown()) });
const MapSchema = z.object({ name: z.string(), elem: z.array(z.unknown()).optional() });
const ChainSchema = z.object({ name: z.string() });
const SetSchema = z.object({ name: z.string(), flags: z.array(z.string()).optional() });
const TopSchema = z.object({ nftables: z.array(z.record(z.unknown())) });

export interface ParsedEndpoint {
  chain: string;
  addr: string;
  /** Absent for port-less VIPs (`dnat to IP`). */
  port?: number;
  /** Packets counted by the endpoint chain's counter. */
  packets: number;
}

export interface ParsedService {
  /** The service chain the map entry goes to. */
  chain: string;
  vip: string;
  protocol?: string;
  port?: number;
  pick: 'random' | 'knetsim' | 'unknown';
  endpoints: ParsedEndpoint[];
  /** Names of affinity sets the service chain consults (sessionAffinity ClientIP). */
  affinitySets: string[];
}

export class Ruleset {
  private constructor(
    readonly chains: ReadonlyMap<string, readonly Json[][]>,
    readonly maps: ReadonlyMap<string, readonly Json[]>,
    readonly sets: ReadonlyMap<string, { flags: string[] }>,
  ) {}

  static parse(json: string | Json): Ruleset {
    const top = TopSchema.parse(typeof json === 'string' ? JSON.parse(json) : json);
    const chains = new Map<string, Json[][]>();
    const maps = new Map<string, Json[]>();
    const sets = new Map<string, { flags: string[] }>();
    for (const obj of top.nftables) {
      if ('chain' in obj) chains.set(ChainSchema.parse(obj.chain).name, chains.get(ChainSchema.parse(obj.chain).name) ?? []);
      if ('map' in obj) {
        const m = MapSchema.parse(obj.map);
        maps.set(m.name, m.elem ?? []);
      }
      if ('set' in obj) {
        const s = SetSchema.parse(obj.set);
        sets.set(s.name, { flags: s.flags ?? [] });
      }
      if ('rule' in obj) {
        const r = RuleSchema.parse(obj.rule);
        chains.set(r.chain, [...(chains.get(r.chain) ?? []), r.expr]);
      }
    }
    return new Ruleset(chains, maps, sets);
  }

  hasChain(name: string): boolean {
    return this.chains.has(name);
  }

  /** Every service the `service-ips` and `service-vips` maps send somewhere. */
  services(): ParsedService[] {
    const out: ParsedService[] = [];
    for (const elem of this.maps.get('service-ips') ?? []) {
      const [key, verdict] = elem as [{ concat: [string, string, number] }, Json];
      const [vip, protocol, port] = key.concat;
      out.push(this.service(targetOf(verdict), { vip, protocol, port }));
    }
    for (const elem of this.maps.get('service-vips') ?? []) {
      const [vip, verdict] = elem as [string, Json];
      out.push(this.service(targetOf(verdict), { vip }));
    }
    return out;
  }

  service(chain: string, key: { vip: string; protocol?: string; port?: number }): ParsedService {
    const rules = this.chains.get(chain) ?? [];
    let pick: ParsedService['pick'] = 'unknown';
    let endpointChains: string[] = [];
    const affinitySets: string[] = [];
    for (const expr of rules) {
      const vmap = find(expr, 'vmap') as { key: Record<string, unknown>; data: { set?: [number, Json][] } } | undefined;
      if (vmap?.data.set) {
        pick = 'numgen' in vmap.key ? 'random' : 'jhash' in vmap.key ? 'knetsim' : 'unknown';
        endpointChains = vmap.data.set.map(([, v]) => targetOf(v));
      }
      const match = find(expr, 'match') as { right?: unknown } | undefined;
      if (typeof match?.right === 'string' && match.right.startsWith('@affinity-')) affinitySets.push(match.right.slice(1));
    }
    return { chain, ...key, pick, affinitySets, endpoints: endpointChains.map((c) => this.endpoint(c)) };
  }

  endpoint(chain: string): ParsedEndpoint {
    let addr = '';
    let port: number | undefined;
    let packets = 0;
    for (const expr of this.chains.get(chain) ?? []) {
      const dnat = find(expr, 'dnat') as { addr: string; port?: number } | undefined;
      if (dnat) ({ addr, port } = dnat);
      const counter = find(expr, 'counter') as { packets: number } | undefined;
      if (counter) packets = counter.packets;
    }
    return port === undefined ? { chain, addr, packets } : { chain, addr, port, packets };
  }
}

function find(expr: readonly Json[], key: string): unknown {
  for (const e of expr) if (e && typeof e === 'object' && key in e) return (e as Record<string, unknown>)[key];
  return undefined;
}

function targetOf(verdict: Json): string {
  const v = verdict as { goto?: { target: string }; jump?: { target: string } };
  const t = v.goto?.target ?? v.jump?.target;
  if (!t) throw new HarnessError(`unexpected verdict in knetsim table: ${JSON.stringify(verdict)}`);
  return t;
}

/** Reads one of the agent's tables in a namespace: the text (for reports) and the parsed model. */
export async function readRuleset(netns: string, family: TableFamily = 'ip'): Promise<{ text: string; ruleset: Ruleset }> {
  const [json, text] = await Promise.all([
    run(['nft', '-j', 'list', 'table', family, TABLE_NAME], { netns }),
    run(['nft', 'list', 'table', family, TABLE_NAME], { netns }),
  ]);
  return { text: text.stdout, ruleset: Ruleset.parse(json.stdout) };
}
