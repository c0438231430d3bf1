import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CniDelegateOptionsSchema } from '../components/cni/delegate-options.ts';
import { FlannelNetworkConfigSchema, type FlannelNetworkConfig } from '../components/flannel/network-config.ts';
import { loadTopology } from '../model/topology.ts';
import { ValidationError } from '../sys/errors.ts';
import { fromZod, zodIssues, readJsonInput } from '../sys/validation.ts';

/**
 * The variants file of `knetsim matrix` (conf/matrix.example.json). Each variant changes the
 * base topology's flannel config (top-level fields replace the base's; `Backend`, when
 * given, replaces the base's Backend whole) and/or the CNI delegate options.
 */
const VariantSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,47}$/, 'must be 1-48 lowercase letters, digits, dots and dashes'),
    description: z.string().max(300).optional(),
    flannel: z
      .object({
        Network: z.string().optional(),
        SubnetLen: z.number().int().optional(),
        SubnetMin: z.string().optional(),
        SubnetMax: z.string().optional(),
        Backend: z.object({ Type: z.string().min(1) }).passthrough().optional(),
      })
      .strict()
      .default({}),
    cni: CniDelegateOptionsSchema.partial().strict().optional(),
  })
  .strict();

export const MatrixFileSchema = z
  .object({
    $comment: z.string().optional(),
    /** The base topology, relative to the variants file (default: conf/topology.default.json). */
    topology: z.string().min(1).optional(),
    /** Scenario files (relative to the repository) run when none are given on the command line. */
    scenarios: z.array(z.string().regex(/\.ts$/, 'must be a .ts scenario file')).default([]),
    variants: z.array(VariantSchema).min(1).max(32),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.variants.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `duplicate variant name "${v.name}"` });
      seen.add(v.name);
    });
  });

export type VariantSpec = z.infer<typeof VariantSchema>;

/** A variant ready to run: its flannel config validated (or why it cannot run). */
export interface Variant {
  name: string;
  description: string;
  backend: string;
  /** The whole flannel config of this variant; undefined when the backend is not one knetsim can run. */
  flannel: FlannelNetworkConfig | undefined;
  cni: Record<string, boolean>;
  /** The topology (object) with this variant's flannel config inline. */
  topology: Record<string, unknown>;
}

export interface MatrixPlan {
  source: string;
  topologyFile: string;
  scenarios: string[];
  variants: Variant[];
}

/** Backends flannel has that knetsim's flannel schema cannot run (they are reported as skipped). */
export const KNOWN_BACKENDS = ['vxlan', 'host-gw', 'udp', 'ipip', 'wireguard', 'ipsec', 'alloc', 'tencent-vpc', 'gce', 'aws-vpc', 'ali-vpc'];

export function loadMatrix(file: string, defaultTopology: string): MatrixPlan {
  const raw = readJsonInput(file);
  const r = MatrixFileSchema.safeParse(raw);
  if (!r.success) throw fromZod(file, r.error);
  const topologyFile = r.data.topology ? resolve(dirname(file), r.data.topology) : defaultTopology;
  const base = loadTopology(topologyFile);
  const baseRaw = JSON.parse(readFileSync(topologyFile, 'utf8')) as Record<string, unknown>;
  const baseFlannel = base.clusters[0]!.flannel;
  const issues: { path: string; message: string }[] = [];
  const variants = r.data.variants.map((v, i): Variant => {
    const composed = { ...baseFlannel, ...v.flannel, Backend: v.flannel.Backend ?? baseFlannel.Backend };
    const backend = composed.Backend.Type;
    let flannel: FlannelNetworkConfig | undefined;
    if (backend === 'vxlan' || backend === 'host-gw' || backend === 'udp') {
      const f = FlannelNetworkConfigSchema.safeParse(composed);
      if (f.success) flannel = f.data;
      else issues.push(...zodIssues(f.error, ['variants', String(i), 'flannel']));
    } else if (!KNOWN_BACKENDS.includes(backend)) {
      issues.push({ path: `variants.${i}.flannel.Backend.Type`, message: `unknown flannel backend "${backend}" (known: ${KNOWN_BACKENDS.join(', ')})` });
    }
    const clusters = (baseRaw.clusters as Record<string, unknown>[]).map((c) => ({ ...c, flannel: undefined }));
    return {
      name: v.name,
      description: v.description ?? '',
      backend,
      flannel,
      cni: v.cni ?? {},
      topology: { ...baseRaw, name: `matrix-${v.name}`.slice(0, 64), flannel: flannel ?? composed, clusters },
    };
  });
  if (issues.length) throw new ValidationError(file, issues);
  return { source: file, topologyFile, scenarios: r.data.scenarios, variants };
}
