/**
 * The routing protocol's data: every router floods one record (its links with costs and the
 * addresses it serves); each router keeps the newest record per router and runs Dijkstra
 * over links both ends agree on. Pure logic, no I/O.
 */

export interface RouterRecord {
  id: string;
  mode: 'interior' | 'edge' | 'standalone';
  /** Start time of the router process: a restarted router's records win over its old ones. */
  incarnation: number;
  seq: number;
  /** Neighbour id → link cost. */
  links: Record<string, number>;
  /** Addresses served by tcpConnectors on this router. */
  tcp: string[];
  /** Addresses with AMQP receivers attached to this router. */
  amqp: string[];
}

export interface RouteEntry {
  router: string;
  nextHop: string;
  cost: number;
}

export function newer(a: RouterRecord, b: RouterRecord | undefined): boolean {
  if (!b) return true;
  return a.incarnation !== b.incarnation ? a.incarnation > b.incarnation : a.seq > b.seq;
}

export class LinkStateDb {
  private readonly records = new Map<string, RouterRecord>();

  /** Stores the record if it is newer than the one held; returns whether it was. */
  accept(record: RouterRecord): boolean {
    if (!newer(record, this.records.get(record.id))) return false;
    this.records.set(record.id, record);
    return true;
  }

  get(id: string): RouterRecord | undefined {
    return this.records.get(id);
  }

  all(): RouterRecord[] {
    return [...this.records.values()];
  }
}

/**
 * Least-total-cost paths from `self` over links listed by both ends. Edge routers are
 * leaves: reachable, never transit. Ties break on the neighbour id, so results are stable.
 */
export function computeRoutes(self: string, db: LinkStateDb): Map<string, RouteEntry> {
  const dist = new Map<string, { cost: number; nextHop: string }>([[self, { cost: 0, nextHop: self }]]);
  const done = new Set<string>();
  for (;;) {
    let u: string | undefined;
    let best = Infinity;
    for (const [id, d] of dist) {
      if (done.has(id)) continue;
      if (d.cost < best || (d.cost === best && u !== undefined && id < u)) {
        best = d.cost;
        u = id;
      }
    }
    if (u === undefined) break;
    done.add(u);
    const rec = db.get(u);
    if (!rec || (u !== self && rec.mode === 'edge')) continue;
    const here = dist.get(u)!;
    for (const [v, cost] of Object.entries(rec.links)) {
      const back = db.get(v);
      if (!back || back.links[u] === undefined || done.has(v)) continue;
      const c = here.cost + cost;
      const nextHop = u === self ? v : here.nextHop;
      const old = dist.get(v);
      if (!old || c < old.cost || (c === old.cost && nextHop < old.nextHop)) dist.set(v, { cost: c, nextHop });
    }
  }
  const routes = new Map<string, RouteEntry>();
  for (const [router, d] of dist) routes.set(router, { router, nextHop: d.nextHop, cost: d.cost });
  return routes;
}

/** Routers serving `address` (of the given kind) that `self` can reach, cheapest first. */
export function destinations(
  address: string,
  kind: 'tcp' | 'amqp',
  routes: Map<string, RouteEntry>,
  db: LinkStateDb,
): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const r of routes.values()) {
    const rec = db.get(r.router);
    if (rec && rec[kind].includes(address)) out.push(r);
  }
  return out.sort((a, b) => a.cost - b.cost || a.router.localeCompare(b.router));
}
