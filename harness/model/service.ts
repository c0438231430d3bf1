import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { nodeTsArgv } from '../sys/node-script.ts';
import type { StoredEndpoint, StoredPort } from '../components/kube-proxy/store.ts';
import { HarnessError } from '../sys/errors.ts';
import { run } from '../sys/exec.ts';
import type { ServiceController } from './service-controller.ts';
import { describePower, requestsForPower } from './service-power.ts';
import type { ServiceMode } from './service-spec.ts';

const PROBE_MAIN = fileURLToPath(new URL('../components/kube-proxy/probe-main.ts', import.meta.url));

/** The port spread() uses on a port-less (deck-style) VIP, where every port is DNATed. */
export const PORTLESS_PROBE_PORT = 8080;
/** Requests spread() makes by default when fewer than two endpoints are ready (nothing to balance). */
export const SPREAD_SINGLE_ENDPOINT_REQUESTS = 100;

/** Where spread() requests come from: a pod or a worker. */
export interface Client {
  readonly netns: string;
  readonly label: string;
}

export type SpreadProtocol = 'tcp' | 'udp';
export type IpFamily = 4 | 6;

export interface SpreadOptions {
  /** Default: the first pod of the cluster that is not an endpoint, else the first worker. */
  from?: Client;
  /** Requests in flight at once (one process either way). Default 1: sequential. */
  concurrency?: number;
  /** Per-request deadline (per try, for UDP). Default 1000 ms. */
  timeoutMs?: number;
  /** UDP: times a datagram is sent again, from the same socket, before the request counts as failed. Default 2. */
  retries?: number;
  /** Which of the service's ports: its first TCP port (default), or its first UDP port. */
  protocol?: SpreadProtocol;
  /** Through the IPv4 VIP (default) or the IPv6 one (dual-stack services). */
  family?: IpFamily;
  /** For port-less VIPs: the port to use (default 8080). */
  port?: number;
  /** Every request from this local port, one after another: a long-lived client. */
  sourcePort?: number;
  /** Go through this node's NodePort (the chosen port's nodePort) instead of the VIP. */
  viaNode?: { readonly ip: string };
}

/** What spread() saw: answers per endpoint pod (every endpoint listed, 0 when never hit). */
export interface SpreadResult {
  service: string;
  from: string;
  /** `udp 100.64.0.3:53`: what was asked. */
  target?: string;
  counts: Record<string, number>;
  /** The client addresses the backends saw, and how often: the client's own address unless masqueraded. */
  peers?: Record<string, number>;
  failures: number;
  total: number;
  /** Failure reasons (ETIMEDOUT, ECONNREFUSED, …) and their counts. */
  errors: Record<string, number>;
  /** UDP datagrams sent again after a timeout (requests that then got an answer still count as answered). */
  resent?: number;
  ms: number;
  latencyMs?: { p50: number; p99: number; max: number };
  /** toBeBalanced's power at this many answers (see service-power.ts). */
  power?: string;
}

const ProbeOutputSchema = z.object({
  counts: z.record(z.number()),
  peers: z.record(z.number()).default({}),
  failures: z.number(),
  errors: z.record(z.number()),
  resent: z.number().default(0),
  ms: z.number(),
  latencyMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }).optional(),
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

  /** The IPv6 VIP of a dual-stack service. */
  get vip6(): string | undefined {
    return this.controller.record(this.name).plan.stored.vip6;
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
    return `${this.controller.cluster.name}/${this.name} (${[this.vip, this.vip6].filter(Boolean).join(', ')})`;
  }

  /** Waits until every worker's kube-proxy has applied every change written so far. */
  converged(opts: { timeoutMs?: number } = {}): Promise<void> {
    return this.controller.converged(opts);
  }

  /** Removes the service (etcd keys, then every worker's rules). */
  delete(): Promise<void> {
    return this.controller.unexpose(this.name);
  }

  /** Starts the echo server (tcp, udp, or http for ingress) on every live endpoint's target port. */
  async startBackends(kind: 'tcp' | 'udp' | 'http' = 'tcp', port?: number): Promise<void> {
    const record = this.controller.record(this.name);
    const cluster = this.controller.cluster;
    const proto = kind === 'udp' ? 'udp' : 'tcp';
    const p = record.plan.stored.ports.find((x) => x.protocol === proto);
    const target = p ? p.targetPort : (port ?? PORTLESS_PROBE_PORT);
    await Promise.all(record.plan.pods.filter((x) => cluster.hasPod(x)).map((x) => this.controller.ensureBackend(cluster.pod(x), target, kind)));
  }

  /**
   * Makes n requests (TCP connections, or UDP datagrams) to the VIP from one process in
   * the client's namespace; each endpoint pod runs a tiny server answering its name.
   * Counts answers per pod. Without n: as many as toBeBalanced needs to catch a share
   * 10 points off fair with ≥ 99 % probability over the ready endpoints (requestsForPower).
   */
  spread(n?: number, opts?: SpreadOptions): Promise<SpreadResult>;
  spread(opts?: SpreadOptions): Promise<SpreadResult>;
  async spread(nOrOpts?: number | SpreadOptions, maybeOpts: SpreadOptions = {}): Promise<SpreadResult> {
    const opts = typeof nOrOpts === 'object' ? nOrOpts : maybeOpts;
    const record = this.controller.record(this.name);
    const ready = record.endpoints.filter((e) => e.ready).length;
    const n = typeof nOrOpts === 'number' ? nOrOpts : ready >= 2 ? requestsForPower({ endpoints: ready }) : SPREAD_SINGLE_ENDPOINT_REQUESTS;
    if (!Number.isInteger(n) || n < 1) throw new HarnessError(`spread(n): n must be a positive integer, got ${n}`);
    const cluster = this.controller.cluster;
    const stored = record.plan.stored;
    const family = opts.family ?? 4;
    const protocol = opts.protocol ?? (stored.ports.length && !stored.ports.some((p) => p.protocol === 'tcp') ? 'udp' : 'tcp');
    const svcPort = stored.ports.find((p) => p.protocol === protocol);
    if (stored.ports.length && !svcPort) throw new HarnessError(`spread(): service ${this.name} has no ${protocol.toUpperCase()} port`);
    if (opts.viaNode && svcPort?.nodePort === undefined) throw new HarnessError(`spread(): service ${this.name} has no ${protocol.toUpperCase()} nodePort`);
    const vip = family === 6 ? stored.vip6 : stored.vip;
    if (!vip) throw new HarnessError(`spread(): service ${this.name} has no IPv6 VIP (expose it with ipFamilies: ['IPv4', 'IPv6'])`);
    const host = opts.viaNode ? opts.viaNode.ip : vip;
    const port = opts.viaNode ? svcPort!.nodePort! : svcPort ? svcPort.port : (opts.port ?? PORTLESS_PROBE_PORT);
    const backendPort = svcPort ? svcPort.targetPort : port;
    const names = record.plan.pods;
    await Promise.all(names.filter((p) => cluster.hasPod(p)).map((p) => this.controller.ensureBackend(cluster.pod(p), backendPort, protocol)));
    const from = opts.from ?? cluster.listPods().find((p) => !names.includes(p.name)) ?? cluster.listWorkers()[0];
    if (!from) throw new HarnessError(`spread(): cluster ${cluster.name} has nothing to send from`);
    const target = `${protocol} ${family === 6 ? `[${host}]` : host}:${port}`;
    return cluster.sim.reporter.step(`spread ${n} requests ${from.label} → ${this.name} (${target})`, async () => {
      const out = await runProbe(from, host, port, n, { ...opts, protocol });
      const counts: Record<string, number> = Object.fromEntries(names.map((p) => [p, 0]));
      for (const [pod, c] of Object.entries(out.counts)) counts[pod] = (counts[pod] ?? 0) + c;
      const answered = n - out.failures;
      const endpoints = Object.keys(counts).length;
      const result: SpreadResult = {
        service: this.name,
        from: from.label,
        target,
        counts,
        peers: out.peers,
        failures: out.failures,
        total: n,
        errors: out.errors,
        resent: out.resent,
        ms: out.ms,
        ...(out.latencyMs ? { latencyMs: out.latencyMs } : {}),
        ...(endpoints >= 2 && answered > 0 ? { power: describePower(endpoints, answered) } : {}),
      };
      await cluster.sim.reporter.attach(
        `spread ${this.name}: ${Object.entries(counts).map(([p, c]) => `${p} ${c}`).join(', ')}; failures ${out.failures}${result.power ? `; ${result.power}` : ''}`,
        JSON.stringify(result, null, 2),
        'application/json',
      );
      return result;
    });
  }
}

export type ProbeOutput = z.infer<typeof ProbeOutputSchema>;

export interface ProbeOptions {
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
  protocol?: SpreadProtocol | undefined;
  retries?: number | undefined;
  sourcePort?: number | undefined;
}

/** n requests from one process in the client's namespace to host:port; counts the names answered. */
export async function runProbe(from: Client, host: string, port: number, n: number, opts: ProbeOptions = {}): Promise<ProbeOutput> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const concurrency = opts.concurrency ?? 1;
  const protocol = opts.protocol ?? 'tcp';
  const retries = protocol === 'udp' ? (opts.retries ?? 2) : 0;
  const r = await run(
    nodeTsArgv(PROBE_MAIN, [
      '--host', host,
      '--port', String(port),
      '--count', String(n),
      '--concurrency', String(concurrency),
      '--timeout-ms', String(timeoutMs),
      '--protocol', protocol,
      '--retries', String(retries),
      ...(opts.sourcePort !== undefined ? ['--source-port', String(opts.sourcePort)] : []),
    ]),
    { netns: from.netns, timeoutMs: 30_000 + Math.ceil(n / concurrency) * ((timeoutMs + 50) * (retries + 1)) },
  );
  return ProbeOutputSchema.parse(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}'));
}
