/**
 * AMQP management (org.amqp.management) as skrouterd speaks it: requests are messages to
 * `$management` whose application-properties carry `operation`, `type`, `name`,
 * `identity` (and, for QUERY and the GET-* operations, `entityType`); responses carry
 * `statusCode` and `statusDescription` and the request's correlation-id. Pure logic: the
 * message shapes both sides build and read, no I/O.
 */
import { HarnessError } from '../../sys/errors.ts';
import { SKROUTERD_TYPE_PREFIX } from '../skrouterd-schema.ts';

/** Where a router's management agent listens (anycast, answered by the router a client is attached to). */
export const MANAGEMENT_ADDRESS = '$management';
/** The type and name management-node operations (QUERY, GET-TYPES, ...) are addressed to. */
export const MANAGEMENT_NODE_TYPE = 'org.amqp.management';
export const MANAGEMENT_NODE_NAME = 'self';

export const Status = {
  OK: 200,
  CREATED: 201,
  NO_CONTENT: 204,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
} as const;

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

/** `tcpListener` → `io.skupper.router.tcpListener` (already long names pass through). */
export function longType(type: string): string {
  return type === MANAGEMENT_NODE_TYPE || type.startsWith(`${SKROUTERD_TYPE_PREFIX}.`) ? type : `${SKROUTERD_TYPE_PREFIX}.${type}`;
}

/** `io.skupper.router.tcpListener` → `tcpListener`. */
export function shortType(type: string): string {
  return type.startsWith(`${SKROUTERD_TYPE_PREFIX}.`) ? type.slice(SKROUTERD_TYPE_PREFIX.length + 1) : type;
}

/** What a caller asks; `type` is an entity type, short or long. */
export type ManagementRequest =
  | { operation: 'QUERY'; type: string; attributeNames?: readonly string[] }
  | { operation: 'GET-TYPES' | 'GET-ATTRIBUTES' | 'GET-OPERATIONS' | 'GET-MGMT-NODES'; type?: string }
  | { operation: 'READ' | 'DELETE'; type: string; name: string }
  | { operation: 'CREATE' | 'UPDATE'; type: string; name: string; attributes: Record<string, unknown> };

/** The fields of a request message (for rhea's `send`). */
export interface RequestMessage {
  to: string;
  reply_to: string;
  correlation_id: string;
  application_properties: Record<string, unknown>;
  body: unknown;
}

export function encodeRequest(req: ManagementRequest, correlationId: string, replyTo: string): RequestMessage {
  const base = { to: MANAGEMENT_ADDRESS, reply_to: replyTo, correlation_id: correlationId };
  switch (req.operation) {
    case 'QUERY':
      return {
        ...base,
        application_properties: { operation: 'QUERY', type: MANAGEMENT_NODE_TYPE, name: MANAGEMENT_NODE_NAME, entityType: longType(req.type) },
        body: { attributeNames: [...(req.attributeNames ?? [])] },
      };
    case 'GET-TYPES':
    case 'GET-ATTRIBUTES':
    case 'GET-OPERATIONS':
    case 'GET-MGMT-NODES':
      return {
        ...base,
        application_properties: { operation: req.operation, type: MANAGEMENT_NODE_TYPE, name: MANAGEMENT_NODE_NAME, ...(req.type ? { entityType: longType(req.type) } : {}) },
        body: {},
      };
    case 'READ':
    case 'DELETE':
      return { ...base, application_properties: { operation: req.operation, type: longType(req.type), name: req.name }, body: {} };
    case 'CREATE':
    case 'UPDATE':
      return { ...base, application_properties: { operation: req.operation, type: longType(req.type), name: req.name }, body: { ...req.attributes } };
  }
}

/** A request that failed: says which operation on what, and the router's status. */
export class ManagementError extends HarnessError {
  override name = 'ManagementError';
  constructor(
    readonly request: ManagementRequest,
    readonly statusCode: number | undefined,
    readonly statusDescription: string,
    /** Which router (or endpoint) was asked. */
    readonly target = 'router',
    options?: { cause?: unknown },
  ) {
    super(`${describeRequest(request)} on ${target} failed: ${statusCode === undefined ? '' : `${statusCode} `}${statusDescription}`, options);
  }
}

/** "QUERY tcpListener", "CREATE connector "link-C0"": for messages. */
export function describeRequest(req: ManagementRequest): string {
  const type = 'type' in req && req.type ? ` ${shortType(req.type)}` : '';
  const name = 'name' in req ? ` "${req.name}"` : '';
  return `${req.operation}${type}${name}`;
}

/** Reads a response message: its body when the status is 2xx, else throws a ManagementError. */
export function decodeResponse(req: ManagementRequest, m: { application_properties?: Record<string, unknown>; body?: unknown }, target?: string): unknown {
  const props = m.application_properties ?? {};
  const code = Number(props['statusCode']);
  const description = String(props['statusDescription'] ?? '');
  if (!Number.isInteger(code)) throw new ManagementError(req, undefined, `response without a statusCode (${JSON.stringify(props)})`, target);
  if (Math.floor(code / 100) !== 2) throw new ManagementError(req, code, description || (STATUS_TEXT[code] ?? 'error'), target);
  return m.body;
}

/** A QUERY answer, {attributeNames, results: [[...], ...]}, as one object per entity. */
export function queryRows(body: unknown): Record<string, unknown>[] {
  const b = (body ?? {}) as { attributeNames?: unknown; results?: unknown };
  if (!Array.isArray(b.attributeNames) || !Array.isArray(b.results)) {
    throw new HarnessError(`a QUERY answer must hold attributeNames and results, got ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  const names = b.attributeNames as string[];
  return (b.results as unknown[][]).map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] ?? null])));
}

/** What a server reads from a request message. */
export interface IncomingRequest {
  operation: string;
  /** `type` property: the entity type addressed (or org.amqp.management). */
  type?: string;
  name?: string;
  identity?: string;
  /** `entityType` property of QUERY and GET-* requests. */
  entityType?: string;
  body: Record<string, unknown>;
}

export function decodeRequest(m: { application_properties?: Record<string, unknown>; body?: unknown }): IncomingRequest | { error: string } {
  const p = m.application_properties ?? {};
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const operation = str('operation');
  if (!operation) return { error: "No 'operation' application property" };
  const body = m.body && typeof m.body === 'object' && !Array.isArray(m.body) && !Buffer.isBuffer(m.body) ? (m.body as Record<string, unknown>) : {};
  const out: IncomingRequest = { operation: operation.toUpperCase(), body };
  for (const k of ['type', 'name', 'identity', 'entityType'] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The fields of a response message to `request` (rhea's `send`). */
export function encodeResponse(
  request: { reply_to?: unknown; correlation_id?: unknown },
  status: number,
  description: string | undefined,
  body: unknown,
): { to: string; correlation_id: unknown; application_properties: Record<string, unknown>; body: unknown } {
  return {
    to: String(request.reply_to),
    correlation_id: request.correlation_id,
    application_properties: { statusCode: status, statusDescription: description ?? STATUS_TEXT[status] ?? '' },
    body,
  };
}
