/**
 * zod schemas for the attributes of skrouterd's config entities that this router implements:
 * one schema per entity type, accepting numbers and booleans written as strings the way
 * skrouterd does. Every key here is an attribute of skrouterd's schema (skrouterd-schema.ts,
 * checked by a test); the other attributes skrouterd defines are accepted and reported as
 * not implemented by config.ts, and names skrouterd does not know are rejected there.
 */
import { z } from 'zod';

const NAMED_PORTS: Record<string, number> = { amqp: 5672, amqps: 5671 };

/** A TCP port as a number or a string ("5672", "amqp"); `min` is 0 for listeners (ephemeral). */
export function portSchema(min: 0 | 1) {
  return z.union([z.number(), z.string()]).transform((raw, ctx) => {
    const n = typeof raw === 'number' ? raw : (NAMED_PORTS[raw] ?? (/^\d+$/.test(raw) ? Number(raw) : NaN));
    if (!Number.isInteger(n) || n < min || n > 65535) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `port must be an integer ${min}-65535, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return n;
  });
}

const intLike = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((raw, ctx) => {
    const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be an integer ${min}-${max}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return n;
  });

const boolLike = z.union([z.boolean(), z.enum(['true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === 'yes');

const name = z.string().min(1).max(256);
const host = z.string().max(253);

export const routerSchema = z
  .object({
    name: name.optional(),
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'id must be 1-64 letters, digits, "_", "." or "-"'),
    mode: z.enum(['interior', 'edge', 'standalone']).default('standalone'),
    helloMaxAgeSeconds: intLike(1, 3600).optional(),
    workerThreads: intLike(1, 256).optional(),
    metadata: z.string().optional(),
  })
  .strict();

export const listenerSchema = z
  .object({
    name: name.optional(),
    host: host.transform((h) => h || '0.0.0.0').default('0.0.0.0'),
    port: portSchema(0).default('amqp'),
    role: z.enum(['normal', 'inter-router', 'edge']).default('normal'),
    http: boolLike.default(false),
    healthz: boolLike.default(true),
    metrics: boolLike.default(true),
    maxFrameSize: intLike(512, 4_294_967_295).optional(),
    maxSessionFrames: intLike(1, 4_294_967_295).optional(),
    sslProfile: name.optional(),
    authenticatePeer: boolLike.default(false),
    saslMechanisms: z.string().optional(),
  })
  .strict();

export const connectorSchema = z
  .object({
    name: name.optional(),
    host: host.min(1).default('127.0.0.1'),
    port: portSchema(1).default('amqp'),
    role: z.enum(['normal', 'inter-router', 'edge']).default('normal'),
    cost: intLike(1, 2_147_483_647).default(1),
    maxFrameSize: intLike(512, 4_294_967_295).optional(),
    maxSessionFrames: intLike(1, 4_294_967_295).optional(),
    sslProfile: name.optional(),
    verifyHostname: boolLike.default(true),
  })
  .strict();

export const sslProfileSchema = z
  .object({
    name,
    certFile: z.string().min(1).optional(),
    privateKeyFile: z.string().min(1).optional(),
    caCertFile: z.string().min(1).optional(),
    password: z.string().optional(),
  })
  .strict();

const tcpEndpoint = {
  name: name.optional(),
  address: z.string().min(1).max(512),
  siteId: z.string().optional(),
};

export const tcpListenerSchema = z
  .object({ ...tcpEndpoint, host: host.transform((h) => h || '0.0.0.0').default('0.0.0.0'), port: portSchema(0) })
  .strict();

export const tcpConnectorSchema = z
  .object({ ...tcpEndpoint, host: host.min(1).default('127.0.0.1'), port: portSchema(1) })
  .strict();

const addressObject = z
  .object({
    name: name.optional(),
    prefix: z.string().min(1).optional(),
    pattern: z.string().min(1).optional(),
    distribution: z.enum(['closest', 'balanced', 'multicast']).default('balanced'),
  })
  .strict();

export const addressSchema = addressObject
  .refine((a) => (a.prefix === undefined) !== (a.pattern === undefined), {
    message: 'exactly one of prefix or pattern is required',
    path: ['prefix'],
  });

export const logSchema = z
  .object({
    name: name.optional(),
    module: z.string().min(1),
    enable: z.string().optional(),
    outputFile: z.string().min(1).optional(),
    includeTimestamp: boolLike.optional(),
    includeSource: boolLike.optional(),
  })
  .strict();

export const entitySchemas = {
  router: routerSchema,
  listener: listenerSchema,
  connector: connectorSchema,
  sslProfile: sslProfileSchema,
  tcpListener: tcpListenerSchema,
  tcpConnector: tcpConnectorSchema,
  address: addressSchema,
  log: logSchema,
} as const;

export type EntityType = keyof typeof entitySchemas;
export type RouterEntity = z.output<typeof routerSchema>;
export type ListenerEntity = z.output<typeof listenerSchema> & { name: string };
export type ConnectorEntity = z.output<typeof connectorSchema> & { name: string };
export type SslProfileEntity = z.output<typeof sslProfileSchema>;
export type TcpListenerEntity = z.output<typeof tcpListenerSchema> & { name: string };
export type TcpConnectorEntity = z.output<typeof tcpConnectorSchema> & { name: string };
export type AddressEntity = z.output<typeof addressSchema> & { name: string };
export type LogEntity = z.output<typeof logSchema>;

/** The skrouterd schema type each entity of a config file is (`address` is an alias). */
export const SCHEMA_TYPE_OF: Record<EntityType, string> = {
  router: 'router',
  listener: 'listener',
  connector: 'connector',
  sslProfile: 'sslProfile',
  tcpListener: 'tcpListener',
  tcpConnector: 'tcpConnector',
  address: 'router.config.address',
  log: 'log',
};

const objects = { ...entitySchemas, address: addressObject };

/** The attributes this router implements, per entity type. */
export function implementedAttributes(type: EntityType): string[] {
  return Object.keys(objects[type].shape);
}
