import { z } from 'zod';
import { PICKS, PROTOCOLS, type StoredService } from '../components/kube-proxy/store.ts';
import { ValidationError } from '../sys/errors.ts';
import { cidrContains, cidrSize, formatIpv4, isIpv4, parseCidr, parseIpv4 } from '../sys/ipv4.ts';
import { cidr6Contains, cidr6Size, formatIpv6, isIpv6, parseCidr6, parseIpv6 } from '../sys/ipv6.ts';
import { POD_NAME_RE } from './names.ts';

/** Where ClusterIPs come from unless a cluster says otherwise. */
export const DEFAULT_SERVICE_CIDR = '100.64.0.0/16';
/** Where IPv6 ClusterIPs of dual-stack services come from (kind's default IPv6 service range). */
export const DEFAULT_SERVICE_CIDR6 = 'fd00:10:96::/112';
export const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
/** Kubernetes' default --service-node-port-range. */
export const NODE_PORT_RANGE = [30000, 32767] as const;

/**
 * `kube-proxy`: endpoints follow pods (deleted or not-ready pods leave the rules).
 * `static`: the deck's kp_vip_add: rules written once with the endpoints given, never updated.
 */
export type ServiceMode = 'kube-proxy' | 'static';

const port = z.number({ invalid_type_error: 'must be a number' }).int('must be an integer').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
const protocol = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(PROTOCOLS, { errorMap: () => ({ message: `must be one of ${PROTOCOLS.join(', ')}` }) }));

const PortSchema = z
  .object({
    name: z.string().regex(POD_NAME_RE, 'must be a DNS label').optional(),
    protocol: protocol.default('tcp'),
    port,
    targetPort: port.optional(),
    nodePort: port.optional(),
  })
  .strict();

export const ExposeOptionsSchema = z
  .object({
    vip: z.string().refine(isIpv4, 'must be an IPv4 address').optional(),
    /** The IPv6 VIP of a dual-stack service (default: the next free one in the IPv6 service CIDR). */
    vip6: z.string().refine(isIpv6, 'must be an IPv6 address').optional(),
    /** ['IPv4'] (default) or ['IPv4', 'IPv6']: a dual-stack service, on a dual-stack cluster. */
    ipFamilies: z
      .array(z.enum(IP_FAMILIES, { errorMap: () => ({ message: `must be one of ${IP_FAMILIES.join(', ')}` }) }))
      .min(1)
      .max(2)
      .default(['IPv4']),
    /** Shorthand for `ports: [{ port, targetPort, nodePort }]` over TCP. */
    port: port.optional(),
    targetPort: port.optional(),
    nodePort: port.optional(),
    ports: z.array(PortSchema).max(100).optional(),
    /** Pod names (or pods) of this cluster backing the service. */
    pods: z.array(z.union([z.string(), z.object({ name: z.string() })]).transform((p) => (typeof p === 'string' ? p : p.name))).min(1, 'needs at least one pod'),
    mode: z.enum(['kube-proxy', 'static']).default('kube-proxy'),
    /** How an endpoint is chosen; default random (kube-proxy), knetsim (jhash ip checksum) for static. */
    pick: z.enum(PICKS).optional(),
    sessionAffinity: z.enum(['None', 'ClientIP']).default('None'),
    sessionAffinityTimeoutSeconds: z.number().int().min(1).max(86400).default(10800),
  })
  .strict();
export type ExposeOptions = z.input<typeof ExposeOptionsSchema>;

export interface ExposeContext {
  serviceCidr: string;
  serviceCidr6?: string;
  /** Whether the cluster's pods have IPv6 addresses (flannel EnableIPv6). */
  dualStack?: boolean;
  /** VIP → service name, for every service of the cluster (both families). */
  vips: ReadonlyMap<string, string>;
  /** nodePort → service name. */
  nodePorts: ReadonlyMap<number, string>;
  services: ReadonlySet<string>;
  hasPod(name: string): boolean;
  /** A pod's IPv6 address, if it has one. */
  podIp6?(name: string): string | undefined;
}

export interface ServicePlan {
  stored: StoredService;
  mode: ServiceMode;
  pods: string[];
}

/**
 * Checks everything about a Service before anything is written: the schema, then what
 * depends on the cluster (VIP inside the service CIDR and free, pods exist, node ports
 * free). Throws one ValidationError naming every bad field.
 */
export function planService(name: unknown, raw: unknown, ctx: ExposeContext): ServicePlan {
  const source = `service ${JSON.stringify(name)}`;
  const issues: { path: string; message: string }[] = [];
  if (typeof name !== 'string' || !POD_NAME_RE.test(name) || name.length > 40) {
    issues.push({ path: 'name', message: 'must be a DNS label of at most 40 characters' });
  } else if (ctx.services.has(name)) {
    issues.push({ path: 'name', message: `a service named "${name}" already exists` });
  }
  const parsed = ExposeOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      issues.push({ path: i.path.join('.'), message: i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message });
    }
    throw new ValidationError(source, issues);
  }
  const o = parsed.data;
  if (o.port !== undefined && o.ports !== undefined) issues.push({ path: 'port', message: 'give either port or ports, not both' });
  if (o.port === undefined && (o.targetPort !== undefined || o.nodePort !== undefined)) {
    issues.push({ path: o.targetPort !== undefined ? 'targetPort' : 'nodePort', message: 'needs port' });
  }
  const ports = (o.ports ?? (o.port !== undefined ? [{ protocol: 'tcp' as const, port: o.port, targetPort: o.targetPort, nodePort: o.nodePort }] : [])).map((p) => ({
    ...(('name' in p && p.name) ? { name: p.name } : {}),
    protocol: p.protocol,
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
  }));
  const portField = (i: number, f: string) => (o.ports ? `ports.${i}.${f}` : f);
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) issues.push({ path: portField(i, 'port'), message: `${key} is listed twice` });
    seen.add(key);
    if (p.nodePort !== undefined) {
      const [lo, hi] = NODE_PORT_RANGE;
      if (p.nodePort < lo || p.nodePort > hi) issues.push({ path: portField(i, 'nodePort'), message: `must lie in ${lo}-${hi}` });
      const owner = ctx.nodePorts.get(p.nodePort);
      if (owner) issues.push({ path: portField(i, 'nodePort'), message: `${p.nodePort} is taken by service "${owner}"` });
    }
  });

  const cidr = parseCidr(ctx.serviceCidr);
  let vip = o.vip;
  if (vip !== undefined) {
    if (!cidrContains(cidr, parseIpv4(vip))) issues.push({ path: 'vip', message: `${vip} lies outside the service CIDR ${ctx.serviceCidr}` });
    else if (parseIpv4(vip) === cidr.base || parseIpv4(vip) === cidr.base + cidrSize(cidr) - 1) {
      issues.push({ path: 'vip', message: `${vip} is the network or broadcast address of ${ctx.serviceCidr}` });
    }
    const owner = ctx.vips.get(vip);
    if (owner) issues.push({ path: 'vip', message: `${vip} is taken by service "${owner}"` });
  } else {
    vip = allocateVip(cidr.base, cidrSize(cidr), ctx.vips);
    if (!vip) issues.push({ path: 'vip', message: `no free address left in ${ctx.serviceCidr}` });
  }
  const families = new Set(o.ipFamilies);
  if (families.size !== o.ipFamilies.length) issues.push({ path: 'ipFamilies', message: 'lists a family twice' });
  const wantsV6 = families.has('IPv6');
  if (wantsV6 && !families.has('IPv4')) issues.push({ path: 'ipFamilies', message: "IPv6-only services are not supported: give ['IPv4', 'IPv6']" });
  let vip6 = o.vip6;
  if (o.vip6 !== undefined && !wantsV6) issues.push({ path: 'vip6', message: "needs ipFamilies ['IPv4', 'IPv6']" });
  if (wantsV6) {
    if (!ctx.dualStack || !ctx.serviceCidr6) {
      issues.push({ path: 'ipFamilies', message: 'IPv6 needs a dual-stack cluster (flannel EnableIPv6 with an IPv6Network)' });
    } else {
      if (o.pick === 'knetsim') issues.push({ path: 'pick', message: 'knetsim (jhash ip checksum) reads the IPv4 header checksum; IPv6 has none' });
      const cidr6 = parseCidr6(ctx.serviceCidr6);
      if (vip6 !== undefined) {
        const n = parseIpv6(vip6);
        if (!cidr6Contains(cidr6, n)) issues.push({ path: 'vip6', message: `${vip6} lies outside the IPv6 service CIDR ${ctx.serviceCidr6}` });
        else if (n === cidr6.base) issues.push({ path: 'vip6', message: `${vip6} is the subnet-router anycast address of ${ctx.serviceCidr6}` });
        vip6 = formatIpv6(n);
        const owner = ctx.vips.get(vip6);
        if (owner) issues.push({ path: 'vip6', message: `${vip6} is taken by service "${owner}"` });
      } else {
        vip6 = allocateVip6(cidr6.base, cidr6Size(cidr6), ctx.vips);
        if (!vip6) issues.push({ path: 'vip6', message: `no free address left in ${ctx.serviceCidr6}` });
      }
    }
  }
  const podSeen = new Set<string>();
  o.pods.forEach((p, i) => {
    if (!ctx.hasPod(p)) issues.push({ path: `pods.${i}`, message: `no pod "${p}" in this cluster` });
    else if (wantsV6 && ctx.dualStack && !ctx.podIp6?.(p)) issues.push({ path: `pods.${i}`, message: `pod "${p}" has no IPv6 address` });
    if (podSeen.has(p)) issues.push({ path: `pods.${i}`, message: `pod "${p}" is listed twice` });
    podSeen.add(p);
  });
  if (issues.length) throw new ValidationError(source, issues);

  const stored: StoredService = {
    name: name as string,
    vip: vip!,
    ...(wantsV6 && vip6 ? { vip6 } : {}),
    ports,
    pick: o.pick ?? (o.mode === 'static' ? 'knetsim' : 'random'),
    ...(o.sessionAffinity === 'ClientIP' ? { affinityTimeoutSeconds: o.sessionAffinityTimeoutSeconds } : {}),
  };
  return { stored, mode: o.mode, pods: o.pods };
}

function allocateVip6(base: bigint, size: bigint, taken: ReadonlyMap<string, string>): string | undefined {
  const limit = size < 65536n ? size : 65536n;
  for (let i = 1n; i < limit; i++) {
    const ip = formatIpv6(base + i);
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

function allocateVip(base: number, size: number, taken: ReadonlyMap<string, string>): string | undefined {
  for (let i = 1; i < size - 1; i++) {
    const ip = formatIpv4(base + i);
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}
