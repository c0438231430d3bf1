import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { FlannelNetworkConfigSchema, isDualStack, subnetCapacity, type FlannelNetworkConfig } from '../components/flannel/network-config.ts';
import { ValidationError } from '../sys/errors.ts';
import { fromZod, zodIssues, readJsonInput } from '../sys/validation.ts';
import { cidrSize, cidrsOverlap, formatIpv4, isCidr, parseCidr } from '../sys/ipv4.ts';
import { cidr6sOverlap, formatIpv6, isCidr6, parseCidr6 } from '../sys/ipv6.ts';

/**
 * The topology a simulation builds, as users write it (conf/topology.default.json).
 * Everything is checked here, before anything is created; errors name the field.
 */

/** Linux limits interface names to 15 bytes; worker names become interface names. */
export const IFNAME_MAX = 15;
export const MAX_WORKERS_PER_CLUSTER = 199;
/** Addresses .200-.254 of each cluster's block are for etcd members. */
const ETCD_HOST_BASE = 200;
/** Where dual-stack workers' underlay IPv6 addresses come from: 10.0.k.h gets <prefix>::k:h. */
export const DEFAULT_UNDERLAY_IPV6 = 'fd00:10::/64';

const nodeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be letters and digits, starting with a letter')
  .max(12, 'must be at most 12 characters');
const podName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and inner dashes (a DNS label)')
  .max(40, 'must be at most 40 characters');

const Flannel = z.union([z.string().min(1), z.record(z.unknown())]);

const PodSpec = z.object({ name: podName, worker: nodeName }).strict();

const ClusterSpec = z
  .object({
    name: nodeName,
    workers: z.array(nodeName).min(1).max(MAX_WORKERS_PER_CLUSTER),
    etcd: z
      .object({ members: z.union([z.literal(1), z.literal(3), z.literal(5)]).default(1) })
      .strict()
      .default({ members: 1 }),
    pods: z.array(PodSpec).default([]),
    /** Overrides the topology's flannel config for this cluster. */
    flannel: Flannel.optional(),
  })
  .strict();

export const TopologySpecSchema = z
  .object({
    name: z.string().regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores').default('topology'),
    underlay: z.string().refine(isCidr, 'must be an IPv4 CIDR such as 10.0.0.0/16').default('10.0.0.0/16'),
    /**
     * The underlay's IPv6 prefix: workers of dual-stack clusters (flannel EnableIPv6) get an
     * address here, which flannel's IPv6 VXLAN (flannel-v6.<VNI>) uses as its outer address.
     */
    underlayIPv6: z.string().refine(isCidr6, 'must be an IPv6 CIDR such as fd00:10::/64').default(DEFAULT_UNDERLAY_IPV6),
    flannel: Flannel.default('flannel-network-config.json'),
    clusters: z.array(ClusterSpec).min(1).max(16),
  })
  .strict()
  .superRefine((t, ctx) => {
    const dup = (items: string[], path: (i: number) => (string | number)[], what: string) => {
      const seen = new Set<string>();
      items.forEach((n, i) => {
        if (seen.has(n)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} "${n}"` });
        seen.add(n);
      });
    };
    dup(t.clusters.map((c) => c.name), (i) => ['clusters', i, 'name'], 'cluster name');
    t.clusters.forEach((c, ci) => {
      dup(c.workers, (i) => ['clusters', ci, 'workers', i], 'worker name');
      dup(c.pods.map((p) => p.name), (i) => ['clusters', ci, 'pods', i, 'name'], 'pod name');
      c.workers.forEach((w, wi) => {
        const full = c.name + w;
        if (full.length > IFNAME_MAX) {
          ctx.addIssue({
            code: 'custom',
            path: ['clusters', ci, 'workers', wi],
            message: `"${full}" (cluster + worker) is ${full.length} characters; interface names allow ${IFNAME_MAX}`,
          });
        }
      });
      c.pods.forEach((p, pi) => {
        if (!c.workers.includes(p.worker)) {
          ctx.addIssue({
            code: 'custom',
            path: ['clusters', ci, 'pods', pi, 'worker'],
            message: `no worker "${p.worker}" in cluster ${c.name} (workers: ${c.workers.join(', ')})`,
          });
        }
      });
    });
    if (isCidr6(t.underlayIPv6) && parseCidr6(t.underlayIPv6).prefix > 96) {
      ctx.addIssue({ code: 'custom', path: ['underlayIPv6'], message: `${t.underlayIPv6} is too small: hosts are numbered in its last 32 bits (at most /96)` });
    }
    if (isCidr(t.underlay)) {
      const u = parseCidr(t.underlay);
      if (cidrSize(u) < t.clusters.length * 256) {
        ctx.addIssue({
          code: 'custom',
          path: ['underlay'],
          message: `${t.underlay} is too small: each cluster takes a /24 block (${t.clusters.length} clusters)`,
        });
      }
    }
  });

export type TopologySpec = z.infer<typeof TopologySpecSchema>;

export interface PodPlan {
  name: string;
  worker: string;
}

export interface WorkerPlan {
  /** Name inside its cluster: w1. */
  name: string;
  /** Cluster + worker: C0w1 (also its interface name on the underlay). */
  fullName: string;
  ip: string;
  /** Underlay IPv6 address of a dual-stack cluster's worker. */
  ip6?: string;
}

export interface EtcdMemberPlan {
  name: string;
  ip: string;
}

export interface ClusterPlan {
  name: string;
  index: number;
  workers: WorkerPlan[];
  etcd: EtcdMemberPlan[];
  pods: PodPlan[];
  flannel: FlannelNetworkConfig;
  /** flannel's EnableIPv6: pods get IPv4 and IPv6 addresses. */
  dualStack: boolean;
}

/** A validated topology with every address decided. */
export interface Topology {
  name: string;
  underlay: { cidr: string; prefix: number };
  /** The IPv6 underlay prefix (used when a cluster is dual-stack). */
  underlayIPv6: { cidr: string; prefix: number };
  clusters: ClusterPlan[];
  /** Where it was read from, for messages and `knetsim ls`. */
  source: string;
}

/** Reads, validates and plans a topology file; relative flannel paths are read beside it. */
export function loadTopology(file: string): Topology {
  const raw = readJsonInput(file);
  return planTopology(raw, { source: file, baseDir: dirname(file) });
}

/** Validates and plans a topology given as an object. */
export function planTopology(raw: unknown, opts: { source?: string; baseDir?: string } = {}): Topology {
  const source = opts.source ?? 'topology';
  const parsed = TopologySpecSchema.safeParse(raw);
  if (!parsed.success) throw fromZod(source, parsed.error);
  const spec = parsed.data;
  const baseDir = opts.baseDir ?? resolve('conf');
  const underlay = parseCidr(spec.underlay);
  const underlay6 = parseCidr6(spec.underlayIPv6);
  const issues: { path: string; message: string }[] = [];

  const clusters = spec.clusters.map((c, index): ClusterPlan => {
    const fieldPath = c.flannel !== undefined ? `clusters.${index}.flannel` : 'flannel';
    const flannel = readFlannel(c.flannel ?? spec.flannel, baseDir, fieldPath, issues);
    if (flannel) {
      if (cidrsOverlap(parseCidr(flannel.Network), underlay)) {
        issues.push({ path: `${fieldPath}.Network`, message: `${flannel.Network} overlaps the underlay ${spec.underlay}` });
      }
      if (isDualStack(flannel) && flannel.IPv6Network && cidr6sOverlap(parseCidr6(flannel.IPv6Network), underlay6)) {
        issues.push({ path: `${fieldPath}.IPv6Network`, message: `${flannel.IPv6Network} overlaps the IPv6 underlay ${spec.underlayIPv6}` });
      }
      const capacity = subnetCapacity(flannel);
      if (capacity < c.workers.length) {
        issues.push({
          path: `${fieldPath}.SubnetLen`,
          message: `leaves room for ${capacity} worker subnets, cluster ${c.name} has ${c.workers.length} workers`,
        });
      }
    }
    const block = underlay.base + index * 256;
    const dualStack = flannel !== undefined && isDualStack(flannel);
    return {
      name: c.name,
      index,
      workers: c.workers.map((w, i) => ({
        name: w,
        fullName: c.name + w,
        ip: formatIpv4(block + 1 + i),
        ...(dualStack ? { ip6: formatIpv6(underlay6.base + (BigInt(index) << 16n) + BigInt(1 + i)) } : {}),
      })),
      etcd: Array.from({ length: c.etcd.members }, (_, m) => ({
        name: `${c.name}-e${m + 1}`,
        ip: formatIpv4(block + ETCD_HOST_BASE + m),
      })),
      pods: c.pods.map((p) => ({ name: p.name, worker: p.worker })),
      flannel: flannel as FlannelNetworkConfig,
      dualStack,
    };
  });
  if (issues.length) throw new ValidationError(source, issues);
  return {
    name: spec.name,
    underlay: { cidr: spec.underlay, prefix: underlay.prefix },
    underlayIPv6: { cidr: spec.underlayIPv6, prefix: underlay6.prefix },
    clusters,
    source,
  };
}

function readFlannel(
  value: string | Record<string, unknown>,
  baseDir: string,
  fieldPath: string,
  issues: { path: string; message: string }[],
): FlannelNetworkConfig | undefined {
  let raw: unknown = value;
  let where = fieldPath;
  if (typeof value === 'string') {
    const file = resolve(baseDir, value);
    where = `${fieldPath} (${file})`;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      issues.push({ path: fieldPath, message: `cannot read flannel config ${file}: ${(e as Error).message}` });
      return undefined;
    }
  }
  const r = FlannelNetworkConfigSchema.safeParse(raw);
  if (!r.success) {
    issues.push(...zodIssues(r.error, [where]));
    return undefined;
  }
  return r.data;
}
