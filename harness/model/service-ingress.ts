import { join } from 'node:path';
import { z } from 'zod';
import { INGRESS_PATH_RE, NginxIngress } from '../components/kube-proxy/ingress-nginx.ts';
import { ValidationError } from '../sys/errors.ts';
import { run } from '../sys/exec.ts';
import { POD_NAME_RE } from './names.ts';
import type { Client } from './service.ts';
import type { ServiceController } from './service-controller.ts';
import type { Worker } from './worker.ts';

export const IngressOptionsSchema = z
  .object({
    /** Worker nginx runs on (default: the cluster's first worker). */
    worker: z.string().optional(),
    port: z.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535'),
    routes: z
      .array(
        z
          .object({
            path: z.string().regex(INGRESS_PATH_RE, 'must be an absolute path of letters, digits, ".", "_", "~", "-" (e.g. /svc1)'),
            service: z.string(),
            /** For a port-less service: the port to send to (default 80). */
            port: z.number().int().min(1).max(65535).optional(),
          })
          .strict(),
      )
      .min(1, 'needs at least one route'),
  })
  .strict();
export type IngressOptions = z.input<typeof IngressOptionsSchema>;

export interface HttpAnswer {
  status: number;
  body: string;
}

/** A path-routing ingress: the real nginx on a worker, proxying to service VIPs. */
export class Ingress {
  constructor(
    readonly name: string,
    readonly worker: Worker,
    readonly port: number,
    readonly nginx: NginxIngress,
  ) {}

  url(path: string): string {
    return `http://${this.worker.ip}:${this.port}${path}`;
  }

  /** GET through the ingress from a pod or worker (curl in its namespace). */
  async get(path: string, opts: { from: Client }): Promise<HttpAnswer> {
    const r = await run(['curl', '-s', '--max-time', '5', '-o', '-', '-w', '\n%{http_code}', this.url(path)], { netns: opts.from.netns, reject: false });
    const lines = r.stdout.split('\n');
    const status = Number(lines.pop());
    return { status: Number.isFinite(status) ? status : 0, body: lines.join('\n') };
  }

  stop(): Promise<void> {
    return this.nginx.stop();
  }
}

/** Validates the routes against the cluster's services, renders nginx's config, starts nginx. */
export async function startIngress(controller: ServiceController, name: string, raw: IngressOptions): Promise<Ingress> {
  const source = `ingress ${JSON.stringify(name)}`;
  const issues: { path: string; message: string }[] = [];
  if (!POD_NAME_RE.test(name)) issues.push({ path: 'name', message: 'must be a DNS label' });
  const parsed = IngressOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(source, [...issues, ...parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))]);
  }
  const o = parsed.data;
  const cluster = controller.cluster;
  const worker = o.worker ? cluster.listWorkers().find((w) => w.name === o.worker || w.fullName === o.worker) : cluster.listWorkers()[0];
  if (!worker) issues.push({ path: 'worker', message: `no worker "${o.worker}" in cluster ${cluster.name}` });
  const seen = new Set<string>();
  const backends = o.routes.flatMap((r, i) => {
    if (seen.has(r.path)) issues.push({ path: `routes.${i}.path`, message: `${r.path} is routed twice` });
    seen.add(r.path);
    if (!controller.has(r.service)) {
      issues.push({ path: `routes.${i}.service`, message: `no service "${r.service}" in cluster ${cluster.name}` });
      return [];
    }
    const svc = controller.get(r.service);
    const tcp = svc.ports.find((p) => p.protocol === 'tcp');
    if (svc.ports.length && !tcp) {
      issues.push({ path: `routes.${i}.service`, message: `service "${r.service}" has no TCP port` });
      return [];
    }
    return [{ path: r.path, vip: svc.vip, port: tcp ? tcp.port : (r.port ?? 80) }];
  });
  if (issues.length) throw new ValidationError(source, issues);
  const sim = cluster.sim;
  const nginx = await NginxIngress.start(sim.ledger, {
    name,
    worker: worker!.fullName,
    netns: worker!.netns,
    port: o.port,
    routes: backends,
    dir: join(sim.runDir, 'ingress', `${cluster.name}-${name}`),
  });
  return new Ingress(name, worker!, o.port, nginx);
}
