import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FlannelNetworkConfigSchema } from '../components/flannel/network-config.ts';
import { AMQP_PORT, HTTP_PORT, INTER_ROUTER_PORT } from '../components/skupper/site-config.ts';
import { POD_NAME_RE } from '../model/names.ts';
import { ExposeOptionsSchema } from '../model/service-spec.ts';
import { planTopology } from '../model/topology.ts';
import { parseRouterConfig } from '../router/index.ts';
import { ValidationError } from '../sys/errors.ts';
import { zodMessage } from '../sys/validation.ts';
import { isRecord } from './equals.ts';
import type { SubmissionFileSpec } from './exercise.ts';

/** A submission file above this size is refused unread. */
export const MAX_SUBMISSION_FILE_BYTES = 256 * 1024;
/** A student topology may not ask for more than this many workers (the grader's machine is shared). */
export const MAX_STUDENT_WORKERS = 4;

export interface Issue {
  /** Dotted field path ('' for the whole file). */
  path: string;
  message: string;
}

/**
 * One submission file as the grader read it. Never throws: a missing, oversized or
 * unparsable file is `unreadable`; a parsed file that breaks its schema keeps its
 * content (`fields`) and its `issues`, so each field can still be graded on its own.
 */
export interface FileReadBase {
  /** Could not be read or parsed at all: no field of it can be graded. */
  unreadable?: boolean;
  /** Where it is on disk. */
  path?: string;
  /** The validated value (as the program that reads it would see it); set when ok. */
  value?: unknown;
  /** What field checks read: the validated value when ok, else the parsed JSON (router configs: the entries valid on their own). */
  fields?: unknown;
  issues: Issue[];
  /** Issues name entities, not field paths (router configs): they explain a field check's failure but do not decide it. */
  entityIssues?: boolean;
}
/** Valid against its schema, or not, and then why (one line, for the whole file). */
export type FileRead = FileReadBase & ({ ok: true } | { ok: false; reason: string });

const answerTypes = {
  integer: z.number().int(),
  number: z.number(),
  string: z.string().max(1000),
  boolean: z.boolean(),
  'string[]': z.array(z.string().max(1000)).max(100),
} as const;

const port = z.number().int().min(1).max(65_535);
const RESERVED_ROUTER_PORTS = [INTER_ROUTER_PORT, AMQP_PORT, HTTP_PORT];
const clusterName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,7}$/, 'must be a cluster name such as C0');
/** A service exposed across clusters, as sim.multicluster.expose() takes it. */
export const CrossClusterExposeSchema = z
  .object({
    name: z.string().regex(POD_NAME_RE, 'must be a DNS label').max(40),
    port,
    from: clusterName,
    to: z.array(clusterName).min(1, 'must name at least one cluster'),
    listenPort: port.refine((p) => !RESERVED_ROUTER_PORTS.includes(p), `is a port the router itself uses (${RESERVED_ROUTER_PORTS.join(', ')})`),
  })
  .strict()
  .superRefine((e, ctx) => {
    e.to.forEach((c, i) => c === e.from && ctx.addIssue({ code: 'custom', path: ['to', i], message: `${c} is the serving cluster itself` }));
  });

export const issuesText = (issues: readonly Issue[]) =>
  issues
    .slice(0, 5)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');

/** zod's issues, one per field: an unknown key is an issue of that key, not of the object holding it. */
function fieldIssues(error: z.ZodError): Issue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: 'unknown field' })) : [{ path: i.path.join('.'), message: zodMessage(i) }],
  );
}

function fromSchema(name: string, path: string, raw: unknown, r: z.SafeParseReturnType<unknown, unknown>, keepRaw = false): FileRead {
  if (r.success) return { ok: true, path, value: keepRaw ? raw : r.data, fields: keepRaw ? raw : r.data, issues: [] };
  const issues = fieldIssues(r.error);
  return { ok: false, reason: `${name}: ${issuesText(issues)}`, path, fields: raw, issues };
}

/** Reads one file of a submission and validates it against the schema the exercise names. */
export function readSubmissionFile(dir: string, name: string, spec: SubmissionFileSpec): FileRead {
  const path = join(dir, name);
  const unreadable = (reason: string): FileRead => ({ ok: false, unreadable: true, reason, issues: [] });
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return unreadable(`${name} is not a regular file`);
    if (st.size > MAX_SUBMISSION_FILE_BYTES) return unreadable(`${name} is ${st.size} bytes; at most ${MAX_SUBMISSION_FILE_BYTES} allowed`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return unreadable((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${name} is missing` : `${name}: ${(e as Error).message}`);
  }
  if (spec.schema === 'scenario') {
    if (!text.trim()) return unreadable(`${name} is empty`);
    return { ok: true, path, value: text, issues: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return unreadable(`${name} is not valid JSON: ${(e as Error).message}`);
  }
  switch (spec.schema) {
    case 'answers': {
      // Field by field: a wrong or unknown field is an issue of its own, never of the others.
      if (!isRecord(raw)) return { ok: false, reason: `${name}: must be a JSON object`, fields: raw, issues: [{ path: '', message: 'must be a JSON object' }] };
      const issues: Issue[] = [];
      for (const [k, v] of Object.entries(raw)) {
        const type = spec.fields[k];
        if (!type) issues.push({ path: k, message: 'unknown field' });
        else {
          const r = answerTypes[type].safeParse(v);
          if (!r.success) issues.push(...r.error.issues.map((i) => ({ path: [k, ...i.path].join('.'), message: zodMessage(i) })));
        }
      }
      return issues.length ? { ok: false, reason: `${name}: ${issuesText(issues)}`, path, fields: raw, issues } : { ok: true, path, value: raw, fields: raw, issues };
    }
    case 'flannel-config':
      return fromSchema(name, path, raw, FlannelNetworkConfigSchema.safeParse(raw));
    case 'service':
      // A Service as cluster.expose() takes it, with its name: { name, vip, port, targetPort, pods, ... }.
      return fromSchema(name, path, raw, ExposeOptionsSchema.extend({ name: z.string().regex(POD_NAME_RE, 'must be a DNS label') }).safeParse(raw), true);
    case 'cross-cluster-expose':
      return fromSchema(name, path, raw, CrossClusterExposeSchema.safeParse(raw));
    case 'router-config':
      return readRouterConfig(name, path, raw);
    case 'topology': {
      // flannel must be inline: a file name would make the harness read a path the student chose.
      const t0 = raw as { flannel?: unknown; clusters?: { flannel?: unknown }[] };
      if (!isRecord(t0) || !isRecord(t0.flannel)) {
        return { ok: false, reason: `${name}: flannel must be given inline, as an object`, fields: raw, issues: [{ path: 'flannel', message: 'must be given inline, as an object' }] };
      }
      const bad = Array.isArray(t0.clusters) ? t0.clusters.findIndex((c) => isRecord(c) && c.flannel !== undefined && !isRecord(c.flannel)) : -1;
      if (bad >= 0) return { ok: false, reason: `${name}: a cluster's flannel must be given inline, as an object`, fields: raw, issues: [{ path: `clusters.${bad}.flannel`, message: 'must be given inline, as an object' }] };
      try {
        const t = planTopology(raw, { source: name, baseDir: dir });
        const workers = t.clusters.reduce((n, c) => n + c.workers.length, 0);
        if (workers > MAX_STUDENT_WORKERS) {
          return { ok: false, reason: `${name} asks for ${workers} workers; at most ${MAX_STUDENT_WORKERS}`, fields: raw, issues: [{ path: 'clusters', message: `${workers} workers; at most ${MAX_STUDENT_WORKERS}` }] };
        }
        return { ok: true, path, value: raw, fields: raw, issues: [] };
      } catch (e) {
        const issues = e instanceof ValidationError ? [...e.issues] : [{ path: '', message: (e as Error).message }];
        return { ok: false, reason: `${name}: ${issuesText(issues)}`, path, fields: raw, issues };
      }
    }
  }
}

/** The router config's collections, by entity type. */
const COLLECTION: Record<string, string> = {
  listener: 'listeners', connector: 'connectors', sslProfile: 'sslProfiles', tcpListener: 'tcpListeners',
  tcpConnector: 'tcpConnectors', address: 'addresses', log: 'logs', router: 'router',
};

/**
 * A router config through the router's own parser. When the whole is invalid, field checks
 * still see each entity that is valid on its own (normalised as the router reads it).
 */
function readRouterConfig(name: string, path: string, raw: unknown): FileRead {
  try {
    const cfg = parseRouterConfig(raw, name);
    return { ok: true, path, value: cfg, fields: cfg, issues: [] };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const issues = [...e.issues];
    const fields: Record<string, unknown> = Object.fromEntries(Object.values(COLLECTION).filter((k) => k !== 'router').map((k) => [k, [] as unknown[]]));
    for (const entry of Array.isArray(raw) ? raw : []) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !(entry[0] in COLLECTION)) continue;
      const alone = entry[0] === 'router' ? [entry] : [['router', { id: 'entity-check', mode: 'interior' }], entry];
      try {
        const one = parseRouterConfig(alone, name) as unknown as Record<string, unknown>;
        const key = COLLECTION[entry[0]]!;
        if (key === 'router') fields.router = one.router;
        else (fields[key] as unknown[]).push(...(one[key] as unknown[]));
      } catch {
        /* invalid on its own too: its issues are in `issues` */
      }
    }
    return { ok: false, reason: `${name}: ${issuesText(issues)}`, path, fields, issues, entityIssues: true };
  }
}
