/**
 * The router's management agent: answers org.amqp.management requests sent to
 * `$management` the way skrouterd's agent does (QUERY, READ, CREATE, DELETE and the GET-*
 * operations, and UPDATE of what it implements; status codes 200/201/204 and 400/404/501
 * with a description), over the entity types this router implements, with skrouterd's
 * type and attribute names.
 */
import { ValidationError } from '../../sys/errors.ts';
import { implementedType, parseEntity, schemaTypeName } from '../config.ts';
import type { Router } from '../router.ts';
import { SKROUTERD_ENTITY_TYPES } from '../skrouterd-schema.ts';
import { createEntity, deleteEntity, hasEntity, RUNTIME_TYPES, UPDATE_TYPES, updateEntity } from './apply.ts';
import { entityRows, IMPLEMENTED_TYPES, type Row } from './entities.ts';
import {
  decodeRequest, encodeResponse, longType, MANAGEMENT_NODE_TYPE, Status, type IncomingRequest,
} from './protocol.ts';

/** A request the agent refuses, with the status it answers. */
class StatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Answer = { status: number; body: unknown };

/** Addresses a client may send management requests to. */
export function isManagementAddress(address: string, routerId: string): boolean {
  return address === '$management' || address === '_local/$management' || address === `_topo/0/${routerId}/$management` || address === `amqp:/_topo/0/${routerId}/$management`;
}

export class ManagementAgent {
  constructor(private readonly r: Router) {}

  /** The response to a request message (undefined when it names no reply-to: nothing to answer). */
  async handle(m: { reply_to?: unknown; correlation_id?: unknown; application_properties?: Record<string, unknown>; body?: unknown }) {
    if (!m.reply_to) return undefined;
    const req = decodeRequest(m);
    let answer: Answer;
    try {
      if ('error' in req) throw new StatusError(Status.BAD_REQUEST, req.error);
      answer = await this.dispatch(req);
    } catch (e) {
      const status = e instanceof StatusError ? e.status : e instanceof ValidationError ? Status.BAD_REQUEST : Status.INTERNAL_SERVER_ERROR;
      const description = e instanceof ValidationError ? e.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : (e as Error).message;
      this.r.log.warn('AGENT', 'request-failed', { operation: 'error' in req ? null : req.operation, status, description });
      return encodeResponse(m, status, description, {});
    }
    return encodeResponse(m, answer.status, undefined, answer.body);
  }

  private async dispatch(req: IncomingRequest): Promise<Answer> {
    switch (req.operation) {
      case 'QUERY': return this.query(req);
      case 'GET-TYPES': return ok(Object.fromEntries(this.types(req).map((t) => [longType(t), SKROUTERD_ENTITY_TYPES[t]!.bases.map(longType)])));
      case 'GET-ATTRIBUTES': return ok(Object.fromEntries(this.types(req).map((t) => [longType(t), Object.keys(SKROUTERD_ENTITY_TYPES[t]!.attributes)])));
      case 'GET-OPERATIONS': return ok(Object.fromEntries(this.types(req).map((t) => [longType(t), this.operations(t)])));
      case 'GET-MGMT-NODES': return ok([]);
      case 'CREATE': return this.create(req);
      case 'READ': return ok(this.find(req).row);
      case 'DELETE': {
        const { type, row } = this.find(req);
        const ours = implementedType(type);
        if (!ours || !RUNTIME_TYPES.includes(ours)) throw new StatusError(Status.NOT_IMPLEMENTED, notImplemented('DELETE', type));
        await deleteEntity(this.r, ours, String(row['name']), `DELETE ${type} "${String(row['name'])}"`);
        return { status: Status.NO_CONTENT, body: {} };
      }
      case 'UPDATE': return this.update(req);
      default: throw new StatusError(Status.BAD_REQUEST, `Unknown operation ${req.operation}`);
    }
  }

  /** Schema type (short) named by a request property, checked against skrouterd's schema. */
  private schemaType(raw: string, property: string): string {
    const t = schemaTypeName(raw);
    if (!SKROUTERD_ENTITY_TYPES[t]) throw new StatusError(Status.BAD_REQUEST, `No such entity type '${longType(t)}' (${property})`);
    return t;
  }

  private types(req: IncomingRequest): string[] {
    const all = IMPLEMENTED_TYPES();
    return req.entityType ? all.filter((t) => t === this.schemaType(req.entityType!, 'entityType')) : all;
  }

  private operations(t: string): string[] {
    const ours = implementedType(t);
    const runtime = ours !== undefined && RUNTIME_TYPES.includes(ours);
    const updates = ours !== undefined && UPDATE_TYPES.includes(ours);
    return SKROUTERD_ENTITY_TYPES[t]!.operations.filter((op) => op === 'READ' || (runtime && (op === 'CREATE' || op === 'DELETE')) || (updates && op === 'UPDATE'));
  }

  private query(req: IncomingRequest): Answer {
    const types = req.entityType ? [this.schemaType(req.entityType, 'entityType')] : IMPLEMENTED_TYPES();
    const known = new Set(types.flatMap((t) => Object.keys(SKROUTERD_ENTITY_TYPES[t]!.attributes)));
    const asked = req.body['attributeNames'];
    let names: string[];
    if (Array.isArray(asked) && asked.length > 0) {
      names = asked.map(String);
      const unknown = names.filter((n) => !known.has(n));
      if (unknown.length) throw new StatusError(Status.NOT_FOUND, `Unknown attributes ${JSON.stringify(unknown)}${req.entityType ? ` for type ${longType(types[0]!)}` : ''}.`);
    } else {
      names = [...known];
    }
    const results: unknown[][] = [];
    for (const t of types) {
      for (const row of entityRows(this.r, t) ?? []) {
        const values = names.map((n) => row[n] ?? null);
        // As skrouterd: an entity with none of the asked attributes is left out.
        if (values.some((v) => v !== null)) results.push(values);
      }
    }
    const offset = Number(req.body['offset'] ?? 0) || 0;
    return ok({ attributeNames: names, results: results.slice(offset) });
  }

  /** The entity a READ or DELETE names (by name or identity, optionally of one type). */
  private find(req: IncomingRequest): { type: string; row: Row } {
    const key = req.name !== undefined ? 'name' : req.identity !== undefined ? 'identity' : undefined;
    if (!key) throw new StatusError(Status.BAD_REQUEST, 'No name or identity provided');
    const value = req[key]!;
    const wanted = req.type && req.type !== MANAGEMENT_NODE_TYPE ? this.schemaType(req.type, 'type') : undefined;
    for (const t of wanted ? [wanted] : IMPLEMENTED_TYPES()) {
      const row = (entityRows(this.r, t) ?? []).find((x) => x[key] === value);
      if (row) return { type: t, row };
    }
    throw new StatusError(Status.NOT_FOUND, `No entity with ${key}=${value}${wanted ? ` of type ${longType(wanted)}` : ''}`);
  }

  /**
   * UPDATE as skrouterd answers it: 501 for a type its schema gives no UPDATE, 400 for an
   * attribute the schema does not let an UPDATE change; else the entity as it is now.
   */
  private async update(req: IncomingRequest): Promise<Answer> {
    const { type, row } = this.find(req);
    const def = SKROUTERD_ENTITY_TYPES[type]!;
    if (!def.operations.includes('UPDATE')) throw new StatusError(Status.NOT_IMPLEMENTED, notImplemented('UPDATE', type));
    const attributes = Object.fromEntries(Object.entries(req.body).filter(([k]) => !['name', 'identity', 'type'].includes(k)));
    const fixed = Object.keys(attributes).find((k) => !def.updatable.includes(k));
    if (fixed !== undefined) throw new StatusError(Status.BAD_REQUEST, `Cannot update attribute '${fixed}' in UPDATE`);
    const ours = implementedType(type);
    if (!ours || !UPDATE_TYPES.includes(ours)) throw new StatusError(Status.NOT_IMPLEMENTED, `UPDATE of ${longType(type)} is not implemented by knetsim-router`);
    const name = String(row['name']);
    await updateEntity(this.r, ours, name, attributes, `UPDATE ${type} "${name}"`);
    return ok((entityRows(this.r, type) ?? []).find((x) => x['name'] === name) ?? {});
  }

  private async create(req: IncomingRequest): Promise<Answer> {
    const attrs = { ...req.body };
    for (const k of ['type', 'name'] as const) {
      const prop = req[k];
      if (prop === undefined) continue;
      if (attrs[k] !== undefined && attrs[k] !== prop && !(k === 'type' && schemaTypeName(String(attrs[k])) === schemaTypeName(prop))) {
        throw new StatusError(Status.BAD_REQUEST, `Conflicting values for '${k}'`);
      }
      attrs[k] = prop;
    }
    if (typeof attrs['type'] !== 'string') throw new StatusError(Status.BAD_REQUEST, "No 'type' attribute");
    const type = this.schemaType(attrs['type'], 'type');
    delete attrs['type'];
    const def = SKROUTERD_ENTITY_TYPES[type]!;
    if (!def.operations.includes('CREATE')) throw new StatusError(Status.NOT_IMPLEMENTED, notImplemented('CREATE', type));
    const ours = implementedType(type);
    if (!ours || !RUNTIME_TYPES.includes(ours)) throw new StatusError(Status.NOT_IMPLEMENTED, `CREATE of ${longType(type)} is not implemented by knetsim-router`);
    const name = typeof attrs['name'] === 'string' ? attrs['name'] : undefined;
    const source = `CREATE ${type}${name ? ` "${name}"` : ''}`;
    if (name !== undefined && hasEntity(this.r, ours, name)) throw new StatusError(Status.BAD_REQUEST, `Duplicate ${type} named "${name}"`);
    const parsed = parseEntity(type, attrs, `${type}${name ? ` "${name}"` : ''}`);
    if (!parsed.entity) throw new ValidationError(source, parsed.issues);
    if (parsed.notImplemented.length) {
      this.r.log.warn('AGENT', 'not-implemented', { attributes: parsed.notImplemented, note: "in skrouterd's schema, accepted, ignored by this router" });
    }
    await createEntity(this.r, parsed.entity, source);
    const created = (parsed.entity.value as { name?: string }).name;
    const row = (entityRows(this.r, type) ?? []).find((x) => x['name'] === created) ?? {};
    return { status: Status.CREATED, body: row };
  }
}

const ok = (body: unknown): Answer => ({ status: Status.OK, body });

/** skrouterd's words for an operation its schema does not give a type (with the ones it does). */
const notImplemented = (op: string, type: string) =>
  `Operation '${op}' not implemented for '${longType(type)}' [${[...SKROUTERD_ENTITY_TYPES[type]!.operations].sort().map((o) => `'${o}'`).join(', ')}]`;
