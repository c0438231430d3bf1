/**
 * Reads skrouterd's JSON config (an array of `[entityType, attributes]` pairs) into one
 * validated RouterConfig, or throws a ValidationError naming entity, attribute and reason.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ValidationError } from '../sys/errors.ts';
import {
  entitySchemas,
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

export interface RouterConfig {
  router: RouterEntity;
  listeners: ListenerEntity[];
  connectors: ConnectorEntity[];
  sslProfiles: SslProfileEntity[];
  tcpListeners: TcpListenerEntity[];
  tcpConnectors: TcpConnectorEntity[];
  addresses: AddressEntity[];
  logs: LogEntity[];
}

type Issue = { path: string; message: string };

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

/** Validates a parsed config document; `source` names it in errors (a path or 'startRouter'). */
export function parseRouterConfig(doc: unknown, source = 'router config'): RouterConfig {
  const issues: Issue[] = [];
  const cfg: RouterConfig = {
    router: undefined as unknown as RouterEntity,
    listeners: [], connectors: [], sslProfiles: [], tcpListeners: [], tcpConnectors: [], addresses: [], logs: [],
  };
  if (!Array.isArray(doc)) throw new ValidationError(source, [{ path: '', message: 'must be a JSON array of [entityType, attributes] pairs' }]);
  let routers = 0;
  doc.forEach((entry, index) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || !entry[1] || typeof entry[1] !== 'object' || Array.isArray(entry[1])) {
      issues.push({ path: `[${index}]`, message: 'must be a pair [entityType, {attributes}]' });
      return;
    }
    const [type, attrs] = entry as [string, Record<string, unknown>];
    const where = label(type, index, attrs);
    if (!(type in entitySchemas)) {
      issues.push({ path: where, message: `unknown entity type "${type}" (expected one of ${Object.keys(entitySchemas).join(', ')})` });
      return;
    }
    const parsed = entitySchemas[type as EntityType].safeParse(attrs);
    if (!parsed.success) {
      issues.push(...zodIssues(where, parsed.error));
      return;
    }
    const v = parsed.data as Record<string, unknown>;
    switch (type as EntityType) {
      case 'router':
        routers++;
        if (routers > 1) issues.push({ path: where, message: 'only one router entity is allowed' });
        else cfg.router = v as RouterEntity;
        break;
      case 'listener':
        cfg.listeners.push({ ...v, name: (v['name'] as string) ?? `listener/${v['host']}:${v['port']}` } as ListenerEntity);
        break;
      case 'connector':
        cfg.connectors.push({ ...v, name: (v['name'] as string) ?? `connector/${v['host']}:${v['port']}` } as ConnectorEntity);
        break;
      case 'sslProfile': cfg.sslProfiles.push(v as SslProfileEntity); break;
      case 'tcpListener':
        cfg.tcpListeners.push({ ...v, name: (v['name'] as string) ?? `tcpListener/${v['port']}` } as TcpListenerEntity);
        break;
      case 'tcpConnector':
        cfg.tcpConnectors.push({ ...v, name: (v['name'] as string) ?? `tcpConnector/${v['host']}:${v['port']}` } as TcpConnectorEntity);
        break;
      case 'address': cfg.addresses.push(v as AddressEntity); break;
      case 'log': cfg.logs.push(v as LogEntity); break;
    }
  });
  if (routers === 0) issues.push({ path: 'router', message: 'required entity is missing (one "router" with an id)' });
  if (issues.length === 0) issues.push(...crossCheck(cfg));
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

/** Rules that span entities: unique names, known sslProfiles, roles the router mode allows. */
function crossCheck(cfg: RouterConfig): Issue[] {
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
