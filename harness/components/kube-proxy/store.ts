import { z } from 'zod';

/**
 * What the harness stores in a cluster's etcd for kube-proxy, and what each agent
 * writes back. The layout is documented in README.md beside this file.
 */
export const KEY_PREFIX = '/knetsim/';
export const SERVICES_PREFIX = '/knetsim/services/';
export const ENDPOINTS_PREFIX = '/knetsim/endpoints/';
/** Outside KEY_PREFIX on purpose: agents watch KEY_PREFIX and must not see each other's status. */
export const STATUS_PREFIX = '/knetsim-status/kube-proxy/';

export const serviceKey = (name: string) => `${SERVICES_PREFIX}${name}`;
export const endpointsKey = (name: string) => `${ENDPOINTS_PREFIX}${name}`;
export const statusKey = (worker: string) => `${STATUS_PREFIX}${worker}`;

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** How an endpoint is picked: kube-proxy's `numgen random`, or the deck's `jhash ip checksum`. */
export const PICKS = ['random', 'knetsim'] as const;
export type Pick = (typeof PICKS)[number];

export const StoredPortSchema = z
  .object({
    name: z.string().optional(),
    protocol: z.enum(PROTOCOLS),
    port: z.number().int().min(1).max(65535),
    targetPort: z.number().int().min(1).max(65535),
    nodePort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
export type StoredPort = z.infer<typeof StoredPortSchema>;

export const StoredServiceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/).max(40),
    vip: z.string().ip({ version: 'v4' }),
    /** The IPv6 ClusterIP of a dual-stack service (programmed in `table ip6 knetsim`). */
    vip6: z.string().ip({ version: 'v6' }).optional(),
    /** Empty: every protocol to the VIP is DNATed to the endpoint's address (the deck's VIPs). */
    ports: z.array(StoredPortSchema),
    pick: z.enum(PICKS),
    /** Seconds a client stays with its endpoint (sessionAffinity ClientIP); absent: no affinity. */
    affinityTimeoutSeconds: z.number().int().min(1).max(86400).optional(),
  })
  .strict();
export type StoredService = z.infer<typeof StoredServiceSchema>;

export const StoredEndpointSchema = z
  .object({ pod: z.string(), ip: z.string().ip({ version: 'v4' }), ip6: z.string().ip({ version: 'v6' }).optional(), ready: z.boolean() })
  .strict();
export type StoredEndpoint = z.infer<typeof StoredEndpointSchema>;
export const StoredEndpointsSchema = z.array(StoredEndpointSchema);

export const AgentStatusSchema = z.object({
  worker: z.string(),
  /** Highest etcd revision of a services/endpoints change this ruleset includes. */
  revision: z.number().int(),
  appliedAt: z.string(),
  services: z.number().int(),
  /** Last apply error (the ruleset is then the previous one). */
  error: z.string().optional(),
  rssBytes: z.number().int().optional(),
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;
