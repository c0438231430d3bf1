import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { nodeTsArgv } from '../sys/node-script.ts';
import type { StoredEndpoint, StoredPort } from '../components/kube-proxy/store.ts';
import { HarnessError } from '../sys/errors.ts';
import { run } from '../sys/exec.ts';
import type { ServiceController } from './service-controller.ts';
import type { ServiceMode } from './service-spec.ts';

const PROBE_MAIN = fileURLToPath(new URL('../components/kube-proxy/probe-main.ts', import.meta.url));

/** The TCP port spread() uses on a port-less (deck-style) VIP, where every port is DNATed. */
export const PORTLESS_PROBE_PORT = 8080;

/** Where spread() requests come from: a pod or a worker. */
export interface Client {
  readonly netns: string;
  readonly label: string;
}

export interface SpreadOptions {
  /** Default: the first pod of the cluster that is not an endpoint, else the first worker. */
  from?: Client;
  /** Connections in flight at once (one process either way). Default 1: sequential. */
  concurrency?: number;
  /** Per-connection deadline. Default 1000 ms. */
  timeoutMs?: number;
  /** For port-less VIPs: the TCP port to use (default 8080). */
  port?: number;
  /** Go through this node's NodePort (the service's first TCP port with a nodePort) instead of the VIP. */
  viaNode?: { readonly ip: string };
}

/** What spread() saw: answers per endpoint pod (every endpoint listed, 0 when never hit). */
export interface SpreadResult {
  service: string;
  from: string;
  counts: Record<string, number>;
  failures: number;
  total: number;
  /** Failure reasons (ETIMEDOUT, ECONNREFUSED, …) and their counts. */
  errors: Record<string, number>;
  ms: number;
}

const ProbeOutputSchema = z.object({
  counts: z.record(z.number()),
  failures: z.number(),
  errors: z.record(z.number()),
  ms: z.number(),
});

/** A handle on a Service of a cluster; its state lives in the ServiceController (and etcd). */
export class Service {
  constructor(
    readonly controller: ServiceController,
    readonly name: string,
  ) {}

  get vip(): string {
    return this.controller.record(this.name).plan.stored.vip;
  }

  get ports(): readonly StoredPort[] {
    return this.controller.record(this.name).plan.stored.ports;
  }

  get mode(): ServiceMode {
    return this.controller.record(this.name).plan.mode;
  }

  /** The endpoints as last written to etcd. */
  get endpoints(): readonly StoredEndpoint[] {
    return this.controller.record(this.name).endpoints;
  }

  get label(): string {
    return `${this.controller.cluster.name}/${this.name} (${this.vip})`;
  }

  /** Waits until every worker's kube-proxy has applied every change written so far. */
  converged(opts: { timeoutMs?: number } = {}): Promise<void> {
    return this.controller.converged(opts);
  }

  /** Removes the service (etcd keys, then every worker's rules). */
  delete(): Promise<void> {
    return this.controller.unexpose(this.name);
  }

  /** Starts the echo server (raw TCP, or HTTP for ingress) on every live endpoint's target port. */
  async startBackends(kind: 'tcp' | 'http' = 'tcp', port?: number): Promise<void> {
    const record = this.controller.record(this.name);
    const cluster = this.controller.cluster;
    const tcp = record.plan.stored.ports.find((p) => p.protocol === 'tcp');
    const target = tcp ? tcp.targetPort : (port ?? PORTLESS_PROBE_PORT);
    await Promise.all(record.plan.pods.filter((p) => cluster.hasPod(p)).map((p) => this.controller.ensureBackend(cluster.pod(p), target, kind)));
  }

  /**
   * Makes n TCP connections to the VIP from one process in the client's namespace; each
   * endpoint pod runs a tiny server answering its name. Counts answers per pod.
   */
  async spread(n: number, opts: SpreadOptions = {}): Promise<SpreadResult> {
    if (!Number.isInteger(n) || n < 1) throw new HarnessError(`spread(n): n must be a positive integer, got ${n}`);
    const record = this.controller.record(this.name);
    const cluster = this.controller.cluster;
    const tcp = record.plan.stored.ports.find((p) => p.protocol === 'tcp');
    if (record.plan.stored.ports.length && !tcp) throw new HarnessError(`spread(): service ${this.name} has no TCP port`);
    if (opts.viaNode && tcp?.nodePort === undefined) throw new HarnessError(`spread(): service ${this.name} has no TCP nodePort`);
    const host = opts.viaNode ? opts.viaNode.ip : record.plan.stored.vip;
    const port = opts.viaNode ? tcp!.nodePort! : tcp ? tcp.port : (opts.port ?? PORTLESS_PROBE_PORT);
    const backendPort = tcp ? tcp.targetPort : port;
    const names = record.plan.pods;
    await Promise.all(names.filter((p) => cluster.hasPod(p)).map((p) => this.controller.ensureBackend(cluster.pod(p), backendPort)));
    const from =
      opts.from ?? cluster.listPods().find((p) => !names.includes(p.name)) ?? cluster.listWorkers()[0];
    if (!from) throw new HarnessError(`spread(): cluster ${cluster.name} has nothing to send from`);
    const out = await runProbe(from, host, port, n, { concurrency: opts.concurrency, timeoutMs: opts.timeoutMs });
    const counts: Record<string, number> = Object.fromEntries(names.map((p) => [p, 0]));
    for (const [pod, c] of Object.entries(out.counts)) counts[pod] = (counts[pod] ?? 0) + c;
    return { service: this.name, from: from.label, counts, failures: out.failures, total: n, errors: out.errors, ms: out.ms };
  }
}

export type ProbeOutput = z.infer<typeof ProbeOutputSchema>;

/** n TCP connections from one process in the client's namespace to host:port; counts the names answered. */
export async function runProbe(
  from: Client,
  host: string,
  port: number,
  n: number,
  opts: { concurrency?: number | undefined; timeoutMs?: number | undefined } = {},
): Promise<ProbeOutput> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const concurrency = opts.concurrency ?? 1;
  const r = await run(
    nodeTsArgv(PROBE_MAIN, [
      '--host', host,
      '--port', String(port),
      '--count', String(n),
      '--concurrency', String(concurrency),
      '--timeout-ms', String(timeoutMs),
    ]),
    { netns: from.netns, timeoutMs: 30_000 + Math.ceil(n / concurrency) * (timeoutMs + 50) },
  );
  return ProbeOutputSchema.parse(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}'));
}
