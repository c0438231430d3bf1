/**
 * A tiny backend for `svc.spread()`: answers every TCP connection with its pod name and
 * closes (with --http: answers every HTTP request with its pod name, for ingress).
 * Run in the pod's namespace.  node --import tsx echo-main.ts --port 8080 --name c2 [--http]
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const args = z
  .object({
    port: z.coerce.number().int().min(1).max(65535),
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/),
    http: z.boolean().default(false),
  })
  .parse(parseArgs({ options: { port: { type: 'string' }, name: { type: 'string' }, http: { type: 'boolean' } } }).values);

const server = args.http
  ? createHttpServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.setHeader('x-pod', args.name);
      res.end(`${args.name} ${req.url ?? ''}\n`);
    })
  : createServer((sock) => {
      sock.on('error', () => undefined);
      sock.end(`${args.name}\n`);
    });
server.listen({ port: args.port, host: '0.0.0.0', backlog: 1024 }, () => {
  process.stdout.write(`listening on 0.0.0.0:${args.port} as ${args.name}\n`);
});
process.once('SIGTERM', () => server.close(() => (process.exitCode = 0)));
