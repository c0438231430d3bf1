/**
 * Run-time configuration changes (management CREATE and DELETE): a validated entity is
 * checked against the rest of the config the same way a config file is, then handed to
 * the part of the router that owns it.
 */
import { ValidationError } from '../../sys/errors.ts';
import { addEntity, crossCheck, logName, parseEntity, removeNamed, type ParsedEntity } from '../config.ts';
import type { EntityType, ListenerEntity, LogEntity } from '../config-schema.ts';
import type { Router } from '../router.ts';
import { loadSslProfile } from '../tls.ts';

/** The entity types CREATE and DELETE reach (as skrouterd's schema allows them). */
export const RUNTIME_TYPES: readonly EntityType[] = ['listener', 'connector', 'sslProfile', 'tcpListener', 'tcpConnector', 'address'];

/**
 * The entity types UPDATE reaches. skrouterd's schema allows UPDATE of a few more (sslProfile
 * certificate rotation, vhost, proxyProfile, network), which this router does not implement.
 */
export const UPDATE_TYPES: readonly EntityType[] = ['log', 'tcpListener'];

type Named = { name?: string };

/** The part of the router that serves a listener: http, AMQP clients, or inter-router/edge links. */
const serviceOf = (r: Router, l: ListenerEntity) => (l.http ? r.http : l.role === 'normal' ? r.amqp : r.inter);
const listOf = (r: Router, type: EntityType): Named[] =>
  ({
    router: [], log: [], listener: r.config.listeners, connector: r.config.connectors, sslProfile: r.config.sslProfiles,
    tcpListener: r.config.tcpListeners, tcpConnector: r.config.tcpConnectors, address: r.config.addresses,
  })[type];

/** Whether an entity of `type` named `name` exists. */
export function hasEntity(r: Router, type: EntityType, name: string): boolean {
  return listOf(r, type).some((e) => e.name === name);
}

/** Adds `e` to the running router; throws a ValidationError naming the field when it cannot be. */
export async function createEntity(r: Router, e: ParsedEntity, source: string): Promise<void> {
  const name = (e.value as Named).name;
  if (name !== undefined && hasEntity(r, e.type, name)) throw new ValidationError(source, [{ path: `${e.type} "${name}".name`, message: 'an entity of this type and name exists' }]);
  const candidate = { ...r.config, listeners: [...r.config.listeners], connectors: [...r.config.connectors], sslProfiles: [...r.config.sslProfiles], tcpListeners: [...r.config.tcpListeners], tcpConnectors: [...r.config.tcpConnectors], addresses: [...r.config.addresses], logs: [...r.config.logs] };
  addEntity(candidate, e);
  const issues = crossCheck(candidate);
  if (issues.length) throw new ValidationError(source, issues);
  switch (e.type) {
    case 'listener': {
      const l = e.value;
      const service = serviceOf(r, l);
      try {
        await service.addListener(l);
      } catch (err) {
        service.removeListener(l.name);
        throw err;
      }
      break;
    }
    case 'connector': r.inter.addConnector(e.value); break;
    case 'sslProfile':
      loadSslProfile(e.value); // its files must be readable now, as skrouterd checks
      r.config.sslProfiles.push(e.value);
      break;
    case 'tcpListener': await r.tcp.addListener(e.value); break;
    case 'tcpConnector': r.tcp.addConnector(e.value); break;
    case 'address': r.config.addresses.push(e.value); break;
    default: throw new ValidationError(source, [{ path: e.type, message: `a ${e.type} cannot be created at run time` }]);
  }
  r.log.info('AGENT', 'created', { type: e.type, name: name ?? null });
}

/** Removes the entity of `type` named `name` from the running router. */
export async function deleteEntity(r: Router, type: EntityType, name: string, source: string): Promise<void> {
  switch (type) {
    case 'listener': {
      const l = r.config.listeners.find((x) => x.name === name)!;
      await serviceOf(r, l).removeListener(name);
      break;
    }
    case 'connector': r.inter.removeConnector(name); break;
    case 'sslProfile': {
      const users = [...r.config.listeners, ...r.config.connectors].filter((x) => x.sslProfile === name).map((x) => x.name);
      if (users.length) throw new ValidationError(source, [{ path: `sslProfile "${name}"`, message: `in use by ${users.join(', ')}` }]);
      removeNamed(r.config.sslProfiles, name);
      break;
    }
    case 'tcpListener': await r.tcp.removeListener(name); break;
    case 'tcpConnector': r.tcp.removeConnector(name); break;
    case 'address': removeNamed(r.config.addresses, name); break;
    default: throw new ValidationError(source, [{ path: type, message: `a ${type} cannot be deleted at run time` }]);
  }
  r.log.info('AGENT', 'deleted', { type, name });
}

/**
 * Changes attributes of a running entity (the caller checked that skrouterd's schema lets an
 * UPDATE change each of them). The DEFAULT log's level and file apply at once, in every lane.
 */
export async function updateEntity(r: Router, type: EntityType, name: string, attributes: Record<string, unknown>, source: string): Promise<void> {
  const ignored = (note: string) => {
    if (Object.keys(attributes).length) r.log.warn('AGENT', 'not-implemented', { attributes: Object.keys(attributes).map((a) => `${type} "${name}".${a}`), note });
  };
  switch (type) {
    case 'log': {
      const i = r.config.logs.findIndex((l) => logName(l) === name);
      const parsed = parseEntity('log', { ...r.config.logs[i], ...attributes }, `log "${name}"`);
      if (!parsed.entity) throw new ValidationError(source, parsed.issues);
      const l = parsed.entity.value as LogEntity;
      r.config.logs[i] = l;
      if (l.module === 'DEFAULT') await r.reconfigureLog(l.enable, 'outputFile' in attributes ? l.outputFile ?? 'stderr' : undefined);
      else ignored('kept; this router has one level for every module, the DEFAULT log\'s');
      break;
    }
    // skrouterd's schema lets an UPDATE change only its observer (HTTP protocol observation).
    case 'tcpListener': ignored("in skrouterd's schema, accepted, ignored by this router"); break;
    default: throw new ValidationError(source, [{ path: type, message: `a ${type} cannot be updated at run time` }]);
  }
  r.log.info('AGENT', 'updated', { type, name, attributes: Object.keys(attributes) });
}
