import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { waitTcpListening } from '../../sys/wait-listening.ts';

/**
 * Ingress as knetsim has it: the real nginx (Debian's nginx-light) in a worker's
 * namespace, routing by path prefix to service VIPs. The config is rendered from
 * validated values only (paths matching INGRESS_PATH_RE, IPv4 VIPs, integer ports).
 */
export const INGRESS_PATH_RE = /^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
export const INGRESS_READY_TIMEOUT_MS = 15_000;

export interface IngressBackend {
  path: string;
  vip: string;
  port: number;
}

export interface NginxIngressOptions {
  name: string;
  /** C0w1, for messages. */
  worker: string;
  netns: string;
  port: number;
  routes: readonly IngressBackend[];
  dir: string;
}

export function renderNginxConfig(o: Pick<NginxIngressOptions, 'port' | 'routes' | 'dir'>): string {
  const tmp = join(o.dir, 'tmp');
  const locations = o.routes.flatMap((r) => [
    `    location = ${r.path} { proxy_pass http://${r.vip}:${r.port}/; }`,
    `    location ${r.path}/ { proxy_pass http://${r.vip}:${r.port}/; }`,
  ]);
  return [
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    'user root;',
    `pid ${join(o.dir, 'nginx.pid')};`,
    `error_log ${join(o.dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(o.dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(tmp, t)};`),
    '  proxy_http_version 1.1;',
    '  proxy_connect_timeout 2s;',
    '  server {',
    `    listen 0.0.0.0:${o.port};`,
    '    location = /healthz { return 200 "ok\\n"; }',
    ...locations,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nginx started in a worker's namespace; ready once it listens on its port. */
export class NginxIngress {
  private constructor(
    readonly options: NginxIngressOptions,
    readonly daemon: Daemon,
  ) {}

  static async start(ledger: Ledger, options: NginxIngressOptions): Promise<NginxIngress> {
    mkdirSync(join(options.dir, 'tmp'), { recursive: true });
    const conf = join(options.dir, 'nginx.conf');
    writeFileSync(conf, renderNginxConfig(options));
    await run(['nginx', '-t', '-q', '-p', options.dir, '-e', join(options.dir, 'error.log'), '-c', conf]);
    const daemon = Daemon.start(ledger, {
      name: `nginx ingress ${options.name} on ${options.worker}`,
      netns: options.netns,
      logFile: join(options.dir, 'nginx.out'),
      cwd: options.dir,
      argv: ['nginx', '-p', options.dir, '-e', join(options.dir, 'error.log'), '-c', conf],
    });
    const ingress = new NginxIngress(options, daemon);
    try {
      await waitTcpListening(options.netns, options.port, { what: `nginx ingress ${options.name} on ${options.worker}`, daemon, timeoutMs: INGRESS_READY_TIMEOUT_MS });
    } catch (e) {
      await daemon.stop();
      throw e;
    }
    return ingress;
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
