/**
 * The http listener: GET /healthz and /metrics (Prometheus text). The router's state is
 * read through AMQP management (management/), as with skrouterd.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { removeNamed } from './config.ts';
import type { ListenerEntity } from './config-schema.ts';
import { listenOn } from './listen.ts';
import { renderMetrics } from './metrics.ts';
import type { Router } from './router.ts';

export class HttpService {
  readonly servers: { listener: ListenerEntity; server: http.Server; port: number }[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly r: Router) {}

  async start(): Promise<void> {
    for (const l of this.r.config.listeners) if (l.http) await this.open(l);
  }

  /** Opens an http listener at run time (management CREATE). */
  async addListener(l: ListenerEntity): Promise<void> {
    this.r.config.listeners.push(l);
    await this.open(l);
  }

  /** Closes an http listener (management DELETE). */
  removeListener(name: string): void {
    removeNamed(this.r.config.listeners, name);
    const i = this.servers.findIndex((s) => s.listener.name === name);
    if (i >= 0) this.servers.splice(i, 1)[0]!.server.close();
  }

  private async open(l: ListenerEntity): Promise<void> {
    const server = http.createServer((req, res) => this.handle(l, req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    const port = await listenOn(server, `listener "${l.name}" (http)`, l.host, l.port);
    this.servers.push({ listener: l, server, port });
    this.r.log.info('HTTP', 'listening', { listener: l.name, host: l.host, port });
  }

  private handle(l: ListenerEntity, req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz' && l.healthz) {
      const s = this.r.state();
      const links = s.links.map((x) => `link ${x.peer} up`).join('\n');
      const down = s.connectors.filter((c) => c.state !== 'up').map((c) => `connector ${c.name} ${c.state}`).join('\n');
      return send(200, 'text/plain', ['ok', links, down].filter(Boolean).join('\n') + '\n');
    }
    if (path === '/metrics' && l.metrics) return send(200, 'text/plain; version=0.0.4', renderMetrics(this.r));
    send(404, 'text/plain', 'not found\n');
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.server.close(() => resolve());
            for (const sock of this.sockets) sock.destroy();
          }),
      ),
    );
  }
}
