/**
 * The management operations that turn one router config (skrouterd's JSON: a list of
 * [entityType, attributes]) into another, in an order a running router accepts: removals
 * first (links before what they use), then additions (what is used before its users;
 * connectors last, so a link is dialled only once everything else is in place).
 */
import { HarnessError } from '../../sys/errors.ts';

export type Entity = [string, Record<string, unknown>];

export interface ConfigChange {
  op: 'CREATE' | 'DELETE';
  type: string;
  name: string;
  /** CREATE: the attributes (without name). */
  attributes?: Record<string, unknown>;
}

const DELETE_ORDER = ['connector', 'tcpListener', 'tcpConnector', 'listener', 'address', 'sslProfile'];
const CREATE_ORDER = ['sslProfile', 'address', 'listener', 'tcpConnector', 'tcpListener', 'connector'];
/** Entities a running router cannot change: they must stay as they are. */
const FIXED = new Set(['router', 'log']);

function keyed(config: readonly Entity[]): Map<string, Entity> {
  const out = new Map<string, Entity>();
  for (const e of config) {
    const [type, attrs] = e;
    const name = FIXED.has(type) ? `${type}/${String(attrs['module'] ?? '')}` : attrs['name'];
    if (typeof name !== 'string') throw new HarnessError(`router config: a ${type} entity has no name (${JSON.stringify(attrs)})`);
    out.set(`${type}\u0000${name}`, e);
  }
  return out;
}

export function configChanges(from: readonly Entity[], to: readonly Entity[]): ConfigChange[] {
  const a = keyed(from);
  const b = keyed(to);
  const same = (x: Entity, y: Entity) => JSON.stringify(x[1]) === JSON.stringify(y[1]);
  const deletes: ConfigChange[] = [];
  const creates: ConfigChange[] = [];
  for (const [k, e] of a) {
    const now = b.get(k);
    if (now && same(e, now)) continue;
    if (FIXED.has(e[0])) throw new HarnessError(`router config: the ${e[0]} entity cannot change while the router runs (${JSON.stringify(e[1])} → ${JSON.stringify(now?.[1] ?? null)})`);
    deletes.push({ op: 'DELETE', type: e[0], name: String(e[1]['name']) });
  }
  for (const [k, e] of b) {
    const before = a.get(k);
    if (before && same(before, e)) continue;
    if (FIXED.has(e[0])) throw new HarnessError(`router config: the ${e[0]} entity cannot be added while the router runs`);
    const { name, ...attributes } = e[1];
    creates.push({ op: 'CREATE', type: e[0], name: String(name), attributes });
  }
  const rank = (order: string[], t: string) => (order.includes(t) ? order.indexOf(t) : order.length);
  deletes.sort((x, y) => rank(DELETE_ORDER, x.type) - rank(DELETE_ORDER, y.type));
  creates.sort((x, y) => rank(CREATE_ORDER, x.type) - rank(CREATE_ORDER, y.type));
  return [...deletes, ...creates];
}
