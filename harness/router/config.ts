/**
 * Reads skrouterd's JSON config (an array of `[entityType, attributes]` pairs) into one
 * validated RouterConfig, or throws a ValidationError naming entity, attribute and reason.
 * Every attribute skrouterd's schema defines is accepted (those this router does not
 * implement are listed in `notImplemented`); names it does not define are rejected.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ValidationError } from '../sys/errors.ts';
import {
  entitySchemas,
  implementedAttributes,
  SCHEMA_TYPE_OF,
  type AddressEntity,
  type ConnectorEntity,
  type EntityType,
  type ListenerEntity,
  type LogEntity,
  type RouterEntity,
  type SslProfileEntity,
  type TcpConnectorEntity,
  type TcpListenerEntity,
} from './config-schema.ts';
import { shortType } from './management/protocol.ts';
import { SKROUTERD_ENTITY_TYPES, type SchemaAttributeType } from './skrouterd-schema.ts';

export interface RouterConfig {
  router: RouterEntity;
  listeners: ListenerEntity[];
  connectors: ConnectorEntity[];
  sslProfiles: SslProfileEntity[];
  tcpListeners: TcpListenerEntity[];
  tcpConnectors: TcpConnectorEntity[];
  addresses: AddressEntity[];
  logs: LogEntity[];
  /**
   * What skrouterd's schema defines and this router accepts without implementing, e.g.
   * `listener "@9090".httpRootDir`, `site[7] (entity type)`: logged once as a warning.
   */
  notImplemented: string[];
}

export type Issue = { path: string; message: string };

/** A validated entity of one of the types this router implements. */
export type ParsedEntity =
  | { type: 'router'; value: RouterEntity }
  | { type: 'listener'; value: ListenerEntity }
  | { type: 'connector'; value: ConnectorEntity }
  | { type: 'sslProfile'; value: SslProfileEntity }
  | { type: 'tcpListener'; value: TcpListenerEntity }
  | { type: 'tcpConnector'; value: TcpConnectorEntity }
  | { type: 'address'; value: AddressEntity }
  | { type: 'log'; value: LogEntity };

function label(type: string, index: number, attrs: unknown): string {
  const n = attrs && typeof attrs === 'object' ? (attrs as Record<string, unknown>)['name'] : undefined;
  return typeof n === 'string' ? `${type}[${index}] "${n}"` : `${type}[${index}]`;
}

function zodIssues(where: string, error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: `${where}.${k}`, message: 'unknown attribute' });
      continue;
    }
    const attr = i.path.join('.');
    const message = i.code === 'invalid_type' && i.received === 'undefined' ? 'required attribute is missing' : i.message;
    out.push({ path: attr ? `${where}.${attr}` : where, message });
  }
  return out;
}

/** skrouterd's spelling rule for config keys: `max-frame-size` means `maxFrameSize`. */
export function camelcase(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Config-file aliases skrouterd resolves (`address` is `router.config.address`). */
const ALIASES: Record<string, string> = {
  address: 'router.config.address',
  autoLink: 'router.config.autoLink',
};
const OURS = new Map<string, EntityType>(Object.entries(SCHEMA_TYPE_OF).map(([ours, schema]) => [schema, ours as EntityType]));

/** skrouterd's schema type of a name as a config file or a management request writes it (short or long). */
export function schemaTypeName(raw: string): string {
  const short = shortType(raw);
  return ALIASES[short] ?? short;
}

/** This router's entity type for a schema type, if it implements it. */
export function implementedType(schemaType: string): EntityType | undefined {
  return OURS.get(schemaType);
}

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', '1', '0']);

/** Why `v` cannot be a value of a schema attribute type, or undefined when it can. */
function schemaValueIssue(t: SchemaAttributeType, v: unknown): string | undefined {
  if (typeof t !== 'string') {
    return t.includes(String(v)) ? undefined : `must be one of ${t.join(', ')}, got ${JSON.stringify(v)}`;
  }
  switch (t) {
    case 'integer':
      return Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v)) ? undefined : `must be an integer, got ${JSON.stringify(v)}`;
    case 'boolean':
      return typeof v === 'boolean' || (typeof v === 'string' && BOOLEAN_WORDS.has(v.toLowerCase())) ? undefined : `must be a boolean, got ${JSON.stringify(v)}`;
    case 'map':
    case 'properties':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `must be a map, got ${JSON.stringify(v)}`;
    case 'list':
      return Array.isArray(v) || typeof v === 'string' ? undefined : `must be a list, got ${JSON.stringify(v)}`;
    default:
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : `must be a ${t}, got ${JSON.stringify(v)}`;
  }
}

/**
 * Validates one entity as skrouterd would read it: keys camelCased, `type` checked and
 * dropped, `identity` refused; attributes this router implements go through its zod
 * schema; other attributes of skrouterd's schema are type-checked and listed in
 * `notImplemented`; anything else is an unknown attribute. `where` names the entity in issues.
 */
export function parseEntity(
  rawType: string,
  rawAttrs: Record<string, unknown>,
  where: string,
): { entity?: ParsedEntity; issues: Issue[]; notImplemented: string[] } {
  const issues: Issue[] = [];
  const notImplemented: string[] = [];
  const schemaType = schemaTypeName(camelcase(rawType));
  const def = SKROUTERD_ENTITY_TYPES[schemaType];
  if (!def || !def.configuration) {
    const known = Object.keys(SKROUTERD_ENTITY_TYPES).filter((t) => SKROUTERD_ENTITY_TYPES[t]!.configuration && !['configurationEntity'].includes(t));
    const why = def ? `"${rawType}" is an operational entity type, not one a config file holds` : `unknown entity type "${rawType}"`;
    return { issues: [{ path: where, message: `${why} (skrouterd's are: ${known.join(', ')}; the aliases ${Object.keys(ALIASES).join(', ')})` }], notImplemented };
  }
  const ours = implementedType(schemaType);
  if (!ours) return { issues, notImplemented: [`${where} (entity type ${schemaType})`] };
  const implemented = new Set(implementedAttributes(ours));
  const attrs: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(rawAttrs)) {
    const k = camelcase(rawKey);
    if (k === 'identity') {
      issues.push({ path: `${where}.identity`, message: 'cannot be set: the router assigns identities' });
    } else if (k === 'type') {
      if (typeof v !== 'string' || schemaTypeName(v) !== schemaType) issues.push({ path: `${where}.type`, message: `must name this entity's type ${schemaType}, got ${JSON.stringify(v)}` });
    } else if (implemented.has(k)) {
      attrs[k] = v;
    } else if (k in def.attributes) {
      const bad = schemaValueIssue(def.attributes[k]!, v);
      if (bad) issues.push({ path: `${where}.${k}`, message: bad });
      else notImplemented.push(`${where}.${k}`);
    } else {
      issues.push({ path: `${where}.${k}`, message: `unknown attribute (skrouterd's ${schemaType} has no attribute of that name)` });
    }
  }
  const parsed = entitySchemas[ours].safeParse(attrs);
  if (!parsed.success) issues.push(...zodIssues(where, parsed.error));
  if (issues.length || !parsed.success) return { issues, notImplemented };
  return { entity: named(ours, parsed.data as Record<string, unknown>), issues, notImplemented };
}

/** Fills in the default name skrouterd-style configs leave out. */
function named(type: EntityType, v: Record<string, unknown>): ParsedEntity {
  const name = v['name'] as string | undefined;
  switch (type) {
    case 'listener': return { type, value: { ...v, name: name ?? `listener/${v['host']}:${v['port']}` } as ListenerEntity };
    case 'connector': return { type, value: { ...v, name: name ?? `connector/${v['host']}:${v['port']}` } as ConnectorEntity };
    case 'tcpListener': return { type, value: { ...v, name: name ?? `tcpListener/${v['port']}` } as TcpListenerEntity };
    case 'tcpConnector': return { type, value: { ...v, name: name ?? `tcpConnector/${v['host']}:${v['port']}` } as TcpConnectorEntity };
    case 'address': return { type, value: { ...v, name: name ?? `address/${v['prefix'] ?? v['pattern']}` } as AddressEntity };
    default: return { type, value: v } as ParsedEntity;
  }
}

/** An empty config of router `router` (entities are added by `addEntity`). */
function emptyConfig(router: RouterEntity): RouterConfig {
  return { router, listeners: [], connectors: [], sslProfiles: [], tcpListeners: [], tcpConnectors: [], addresses: [], logs: [], notImplemented: [] };
}

/** Adds a validated entity to `cfg` (not `router`). */
export function addEntity(cfg: RouterConfig, e: ParsedEntity): void {
  switch (e.type) {
    case 'router': throw new Error('the router entity is not added');
    case 'listener': cfg.listeners.push(e.value); break;
    case 'connector': cfg.connectors.push(e.value); break;
    case 'sslProfile': cfg.sslProfiles.push(e.value); break;
    case 'tcpListener': cfg.tcpListeners.push(e.value); break;
    case 'tcpConnector': cfg.tcpConnectors.push(e.value); break;
    case 'address': cfg.addresses.push(e.value); break;
    case 'log': cfg.logs.push(e.value); break;
  }
}

/** Removes the entity named `name` from one of a config's lists (run-time DELETE); nothing when there is none. */
export function removeNamed<T extends { name: string }>(list: T[], name: string): void {
  const i = list.findIndex((x) => x.name === name);
  if (i >= 0) list.splice(i, 1);
}

/** Validates a parsed config document; `source` names it in errors (a path or 'startRouter'). */
export function parseRouterConfig(doc: unknown, source = 'router config'): RouterConfig {
  const issues: Issue[] = [];
  if (!Array.isArray(doc)) throw new ValidationError(source, [{ path: '', message: 'must be a JSON array of [entityType, attributes] pairs' }]);
  const entities: ParsedEntity[] = [];
  const notImplemented: string[] = [];
  let routers = 0;
  doc.forEach((entry, index) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || !entry[1] || typeof entry[1] !== 'object' || Array.isArray(entry[1])) {
      issues.push({ path: `[${index}]`, message: 'must be a pair [entityType, {attributes}]' });
      return;
    }
    const [type, attrs] = entry as [string, Record<string, unknown>];
    const where = label(type, index, attrs);
    const r = parseEntity(type, attrs, where);
    issues.push(...r.issues);
    notImplemented.push(...r.notImplemented);
    if (!r.entity) return;
    if (r.entity.type === 'router' && ++routers > 1) issues.push({ path: where, message: 'only one router entity is allowed' });
    entities.push(r.entity);
  });
  const router = entities.find((e) => e.type === 'router');
  if (routers === 0 && !issues.some((i) => /^router\[/.test(i.path))) issues.push({ path: 'router', message: 'required entity is missing (one "router" with an id)' });
  if (issues.length || !router) throw new ValidationError(source, issues);
  const cfg = emptyConfig(router.value as RouterEntity);
  cfg.notImplemented = notImplemented;
  for (const e of entities) if (e.type !== 'router') addEntity(cfg, e);
  issues.push(...crossCheck(cfg));
  if (issues.length) throw new ValidationError(source, issues);
  return cfg;
}

function duplicates(type: string, names: string[]): Issue[] {
  const seen = new Set<string>();
  const out: Issue[] = [];
  names.forEach((n, i) => {
    if (seen.has(n)) out.push({ path: `${type} "${n}".name`, message: `duplicate name (entity #${i} of type ${type})` });
    seen.add(n);
  });
  return out;
}

/** A log entity's name, as management shows it. */
export const logName = (l: LogEntity) => l.name ?? `log/${l.module}`;

/** Rules that span entities: unique names, known sslProfiles, roles the router mode allows. */
export function crossCheck(cfg: RouterConfig): Issue[] {
  const out: Issue[] = [];
  out.push(...duplicates('listener', cfg.listeners.map((l) => l.name)));
  out.push(...duplicates('connector', cfg.connectors.map((c) => c.name)));
  out.push(...duplicates('sslProfile', cfg.sslProfiles.map((s) => s.name)));
  out.push(...duplicates('tcpListener', cfg.tcpListeners.map((l) => l.name)));
  out.push(...duplicates('tcpConnector', cfg.tcpConnectors.map((c) => c.name)));
  const profiles = new Set(cfg.sslProfiles.map((s) => s.name));
  const mode = cfg.router.mode;
  for (const l of cfg.listeners) {
    if (l.sslProfile && !profiles.has(l.sslProfile)) out.push({ path: `listener "${l.name}".sslProfile`, message: `no sslProfile named "${l.sslProfile}"` });
    if (l.role !== 'normal' && mode !== 'interior') {
      out.push({ path: `listener "${l.name}".role`, message: `a ${mode} router cannot accept ${l.role} connections (only interior routers can)` });
    }
    if (l.authenticatePeer && !l.sslProfile && l.role !== 'normal') {
      out.push({ path: `listener "${l.name}".authenticatePeer`, message: 'authenticatePeer needs an sslProfile with a caCertFile' });
    }
  }
  const ports = new Map<string, string>();
  for (const l of [...cfg.listeners, ...cfg.tcpListeners]) {
    if (l.port === 0) continue;
    const key = `${l.host}:${l.port}`;
    const other = ports.get(key);
    if (other) out.push({ path: `${'address' in l ? 'tcpListener' : 'listener'} "${l.name}".port`, message: `${key} is already used by ${other}` });
    else ports.set(key, l.name);
  }
  for (const c of cfg.connectors) {
    const where = `connector "${c.name}"`;
    if (c.sslProfile && !profiles.has(c.sslProfile)) out.push({ path: `${where}.sslProfile`, message: `no sslProfile named "${c.sslProfile}"` });
    if (c.role === 'normal') out.push({ path: `${where}.role`, message: 'only inter-router and edge connectors are supported (no broker waypoints)' });
    else if (c.role === 'inter-router' && mode !== 'interior') {
      out.push({ path: `${where}.role`, message: `an ${mode} router cannot open inter-router links; no listener accepts them from a ${mode} router` });
    } else if (c.role === 'edge' && mode !== 'edge') {
      out.push({ path: `${where}.role`, message: `edge connectors belong to edge routers; this router is ${mode}` });
    }
  }
  for (const p of cfg.sslProfiles) {
    if ((p.certFile === undefined) !== (p.privateKeyFile === undefined)) {
      out.push({ path: `sslProfile "${p.name}".privateKeyFile`, message: 'certFile and privateKeyFile go together' });
    }
  }
  return out;
}

/** Reads and validates a config file. */
export async function loadRouterConfig(file: string): Promise<RouterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ValidationError(file, [{ path: '', message: `cannot read: ${(e as Error).message}` }]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(file, [{ path: '', message: `not JSON: ${(e as Error).message}` }]);
  }
  return parseRouterConfig(doc, file);
}
