import { z } from 'zod';
import { fromZod, readJsonInput } from '../../sys/validation.ts';
import { cidrContains, cidrSize, isCidr, isIpv4, parseCidr, parseIpv4 } from '../../sys/ipv4.ts';
import { cidr6Contains, isCidr6, isIpv6, mask6, parseCidr6, parseIpv6 } from '../../sys/ipv6.ts';

/**
 * flannel's network configuration (the JSON stored at <prefix>/config in etcd), validated
 * before anything is created. Field names are flannel's own.
 */
const Backend = z.discriminatedUnion('Type', [
  z
    .object({
      Type: z.literal('vxlan'),
      VNI: z.number().int().min(1).max(16_777_215).default(1),
      Port: z.number().int().min(1).max(65_535).default(8472),
      GBP: z.boolean().optional(),
      DirectRouting: z.boolean().optional(),
      MTU: z.number().int().min(576).max(9000).optional(),
    })
    .strict(),
  z.object({ Type: z.literal('host-gw') }).strict(),
  z.object({ Type: z.literal('udp'), Port: z.number().int().min(1).max(65_535).default(8285) }).strict(),
]);

export const FlannelNetworkConfigSchema = z
  .object({
    Network: z.string().refine(isCidr, 'must be an IPv4 CIDR such as 11.0.0.0/8'),
    SubnetLen: z.number().int().min(1).max(30),
    SubnetMin: z.string().refine(isIpv4, 'must be an IPv4 address').optional(),
    SubnetMax: z.string().refine(isIpv4, 'must be an IPv4 address').optional(),
    EnableIPv4: z.boolean().optional(),
    /** Dual-stack: pods also get an address from IPv6Network; vxlan adds flannel-v6.<VNI> over the IPv6 underlay. */
    EnableIPv6: z.boolean().optional(),
    IPv6Network: z.string().refine(isCidr6, 'must be an IPv6 CIDR such as fd00:11::/48').optional(),
    IPv6SubnetLen: z.number().int().min(1).max(126).optional(),
    IPv6SubnetMin: z.string().refine(isIpv6, 'must be an IPv6 address').optional(),
    IPv6SubnetMax: z.string().refine(isIpv6, 'must be an IPv6 address').optional(),
    Backend: Backend,
  })
  .strict()
  .superRefine((c, ctx) => {
    checkIpv6(c, ctx);
    if (!isCidr(c.Network)) return;
    const net = parseCidr(c.Network);
    if (c.SubnetLen <= net.prefix) {
      ctx.addIssue({
        code: 'custom',
        path: ['SubnetLen'],
        message: `must be larger than the Network's prefix length /${net.prefix} (got ${c.SubnetLen})`,
      });
    }
    for (const key of ['SubnetMin', 'SubnetMax'] as const) {
      const v = c[key];
      if (v && isIpv4(v) && !cidrContains(net, parseIpv4(v))) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${v} is outside Network ${c.Network}` });
      }
    }
    if (c.SubnetMin && c.SubnetMax && isIpv4(c.SubnetMin) && isIpv4(c.SubnetMax)) {
      if (parseIpv4(c.SubnetMin) > parseIpv4(c.SubnetMax)) {
        ctx.addIssue({ code: 'custom', path: ['SubnetMin'], message: `${c.SubnetMin} is above SubnetMax ${c.SubnetMax}` });
      }
    }
  });

export type FlannelNetworkConfig = z.infer<typeof FlannelNetworkConfigSchema>;

type Ipv6Fields = Pick<FlannelNetworkConfig, 'EnableIPv4' | 'EnableIPv6' | 'IPv6Network' | 'IPv6SubnetLen' | 'IPv6SubnetMin' | 'IPv6SubnetMax' | 'Backend'>;

/** flannel's own checks of the IPv6 fields (pkg/subnet/config.go), reported by field before anything starts. */
function checkIpv6(c: Ipv6Fields, ctx: z.RefinementCtx): void {
  const v6Fields = (['IPv6Network', 'IPv6SubnetLen', 'IPv6SubnetMin', 'IPv6SubnetMax'] as const).filter((k) => c[k] !== undefined);
  if (c.EnableIPv4 === false) ctx.addIssue({ code: 'custom', path: ['EnableIPv4'], message: 'IPv6-only clusters are not supported: pods need their IPv4 address' });
  if (!c.EnableIPv6) {
    if (v6Fields.length) ctx.addIssue({ code: 'custom', path: ['EnableIPv6'], message: `must be true when ${v6Fields.join(', ')} ${v6Fields.length > 1 ? 'are' : 'is'} set (flannel ignores them otherwise)` });
    return;
  }
  if (c.IPv6Network === undefined) {
    ctx.addIssue({ code: 'custom', path: ['IPv6Network'], message: 'is required when EnableIPv6 is true' });
    return;
  }
  if (c.Backend.Type === 'udp') ctx.addIssue({ code: 'custom', path: ['Backend', 'Type'], message: "flannel's udp backend has no IPv6; use vxlan or host-gw with EnableIPv6" });
  if (!isCidr6(c.IPv6Network)) return;
  const net = parseCidr6(c.IPv6Network);
  if (net.prefix > 124) ctx.addIssue({ code: 'custom', path: ['IPv6Network'], message: `/${net.prefix} is too small: flannel needs at least a /124` });
  const len = ipv6SubnetLen(c);
  if (c.IPv6SubnetLen !== undefined && c.IPv6SubnetLen < net.prefix + 2) {
    ctx.addIssue({ code: 'custom', path: ['IPv6SubnetLen'], message: `must be at least the IPv6Network's prefix length + 2 (/${net.prefix + 2}), got ${c.IPv6SubnetLen}` });
  }
  for (const key of ['IPv6SubnetMin', 'IPv6SubnetMax'] as const) {
    const v = c[key];
    if (v === undefined || !isIpv6(v)) continue;
    if (!cidr6Contains(net, parseIpv6(v))) ctx.addIssue({ code: 'custom', path: [key], message: `${v} is outside IPv6Network ${c.IPv6Network}` });
    else if ((parseIpv6(v) & ~mask6(len) & ((1n << 128n) - 1n)) !== 0n) ctx.addIssue({ code: 'custom', path: [key], message: `${v} is not on a /${len} boundary` });
  }
}

/** flannel's IPv6 subnet length: as given, else /64 for networks of /62 or wider, else prefix + 2. */
export function ipv6SubnetLen(c: Pick<FlannelNetworkConfig, 'IPv6Network' | 'IPv6SubnetLen'>): number {
  if (c.IPv6SubnetLen !== undefined) return c.IPv6SubnetLen;
  const prefix = c.IPv6Network && isCidr6(c.IPv6Network) ? parseCidr6(c.IPv6Network).prefix : 64;
  return prefix <= 62 ? 64 : prefix + 2;
}

/** Whether pods of a cluster with this config get IPv6 addresses too. */
export function isDualStack(c: FlannelNetworkConfig): boolean {
  return c.EnableIPv6 === true;
}

/** How many worker subnets the config can hand out (bounded by SubnetMin/SubnetMax). */
export function subnetCapacity(c: FlannelNetworkConfig): number {
  const net = parseCidr(c.Network);
  const step = 2 ** (32 - c.SubnetLen);
  const lo = c.SubnetMin ? parseIpv4(c.SubnetMin) : net.base + step;
  const hi = c.SubnetMax ? parseIpv4(c.SubnetMax) : net.base + cidrSize(net) - step;
  return Math.max(0, Math.floor((hi - lo) / step) + 1);
}

/** The name of the VXLAN device flannel makes: flannel.<VNI>. */
export function vxlanDevice(c: FlannelNetworkConfig): string | undefined {
  return c.Backend.Type === 'vxlan' ? `flannel.${c.Backend.VNI}` : undefined;
}

/** The IPv6 VXLAN device of a dual-stack vxlan config: flannel-v6.<VNI> (flannel's pkg/backend/vxlan). */
export function vxlanDevice6(c: FlannelNetworkConfig): string | undefined {
  return c.Backend.Type === 'vxlan' && isDualStack(c) ? `flannel-v6.${c.Backend.VNI}` : undefined;
}

/** Validates a flannel network config; the ValidationError names each bad field. */
export function parseFlannelConfig(raw: unknown, source = 'flannel network config'): FlannelNetworkConfig {
  const r = FlannelNetworkConfigSchema.safeParse(raw);
  if (!r.success) throw fromZod(source, r.error);
  return r.data;
}

/** Reads and validates a flannel network config file (conf/flannel-network-config.json). */
export function loadFlannelConfig(file: string): FlannelNetworkConfig {
  const raw = readJsonInput(file);
  return parseFlannelConfig(raw, file);
}
