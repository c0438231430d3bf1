import { z } from 'zod';
import { fromZod, readJsonInput } from '../../sys/validation.ts';
import { cidrContains, cidrSize, isCidr, isIpv4, parseCidr, parseIpv4 } from '../../sys/ipv4.ts';

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
    Backend: Backend,
  })
  .strict()
  .superRefine((c, ctx) => {
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
