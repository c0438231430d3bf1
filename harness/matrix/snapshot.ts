import type { Simulation } from '../model/simulation.ts';
import { run } from '../sys/exec.ts';
import { normalise, type NormaliseContext } from './normalise.ts';

/** Each worker's and pod's dataplane, section by section, normalised (see normalise.ts). */
export interface DataplaneSnapshot {
  /** "C0w1" → "routes" → lines. */
  nodes: Record<string, Record<string, string[]>>;
}

export const SECTIONS = ['links', 'routes', 'fdb', 'neighbours', 'nft'] as const;

interface LinkJson {
  ifname: string;
  mtu: number;
  operstate: string;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

/** `ip -j -d link` as one line per link: name, kind, MTU, state, master, and a VXLAN's id, port and local address. */
export function formatLinks(json: LinkJson[]): string {
  return json
    .map((l) => {
      const kind = l.linkinfo?.info_kind ?? 'device';
      const d = l.linkinfo?.info_data ?? {};
      const vx = kind === 'vxlan' ? ` id ${d.id} port ${d.port} local ${d.local}${d.learning === false ? ' nolearning' : ''}` : '';
      const tun = kind === 'tun' ? ` ${d.type ?? ''}` : '';
      return `${l.ifname} ${kind} mtu ${l.mtu} ${l.operstate}${l.master ? ` master ${l.master}` : ''}${vx}${tun}`;
    })
    .join('\n');
}

async function text(netns: string, argv: string[]): Promise<string> {
  try {
    return (await run(argv, { netns, timeoutMs: 15_000 })).stdout;
  } catch (e) {
    return `(${argv.join(' ')} failed: ${(e as Error).message.split('\n')[0]})`;
  }
}

/** Reads every worker's links, routes, FDB, permanent neighbours and nft ruleset, and every pod's links and routes. */
export async function snapshotDataplane(sim: Simulation): Promise<DataplaneSnapshot> {
  const workers = [...sim.clusters.values()].flatMap((c) => c.listWorkers());
  const pods = [...sim.clusters.values()].flatMap((c) => c.listPods());
  const ctx: NormaliseContext = { runId: sim.runId, macs: new Map(), subnets: new Map() };
  for (const w of workers) ctx.subnets.set(w.fullName, w.subnet.subnet);
  const raw = new Map<string, Record<string, string>>();
  for (const [name, netns] of [...workers.map((w) => [w.fullName, w.netns] as const), ...pods.map((p) => [p.label, p.netns] as const)]) {
    const json = JSON.parse((await run(['ip', '-j', '-d', 'link', 'show'], { netns, timeoutMs: 15_000 })).stdout || '[]') as LinkJson[];
    for (const l of json) if (l.address && !ctx.macs.has(l.address)) ctx.macs.set(l.address.toLowerCase(), `${name} ${l.ifname}`);
    if (!workers.some((w) => w.fullName === name)) {
      // A pod: its interfaces and routes (the CNI delegate options show here).
      raw.set(name, { links: formatLinks(json), routes: await text(netns, ['ip', '-4', 'route', 'show', 'table', 'all']) });
      continue;
    }
    raw.set(name, {
      links: formatLinks(json),
      routes: await text(netns, ['ip', '-4', 'route', 'show', 'table', 'all']),
      fdb: await text(netns, ['bridge', 'fdb', 'show']),
      // Learned neighbours come and go with traffic; permanent ones are configuration (flannel's).
      neighbours: (await text(netns, ['ip', 'neigh', 'show']))
        .split('\n')
        .filter((l) => /PERMANENT|NOARP/.test(l))
        .join('\n'),
      nft: await text(netns, ['nft', 'list', 'ruleset']),
    });
  }
  const nodes: DataplaneSnapshot['nodes'] = {};
  for (const [name, sections] of raw) {
    nodes[name] = Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, normalise(v, ctx)]));
  }
  return { nodes };
}
