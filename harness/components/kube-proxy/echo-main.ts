/**
 * A tiny backend for `svc.spread()`, run in a pod's namespace. It answers with its pod name
 * and the address it saw the client come from (so a test can tell whether the client's
 * source address was kept or masqueraded):
 *   tcp:  every connection gets "<name> <peer>\n", then the server closes;
 *   udp:  every datagram gets "<name> <peer>\n" back, from the port it came to;
 *   http: every request gets "<name> <path>\n" (for the nginx ingress).
 * It listens on both families (`::`, v4-mapped addresses for IPv4 clients).
 *   node --import tsx echo-main.ts --port 8080 --name c2 [--protocol tcp|udp|http]
 */
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const args = z
  .object({
    port: z.coerce.number().int().min(1).max(65535),
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/),
    protocol: z.enum(['tcp', 'udp', 'http']).default('tcp'),
  })
  .parse(parseArgs({ options: { port: { type: 'string' }, name: { type: 'string' }, protocol: { type: 'string' } } }).values);

/** The client's address as the backend saw it; an IPv4 client shows as itself, not ::ffff:a.b.c.d. */
const peer = (addr: string | undefined) => (addr ?? '?').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
const ready = () => process.stdout.write(`listening on [::]:${args.port}/${args.protocol} as ${args.name}\n`);

let close: (done: () => void) => void;
if (args.protocol === 'udp') {
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  sock.on('message', (_msg, rinfo) => sock.send(`${args.name} ${peer(rinfo.address)}\n`, rinfo.port, rinfo.address));
  sock.on('error', (e) => process.stderr.write(`udp error: ${e.message}\n`));
  sock.bind({ port: args.port, address: '::' }, ready);
  close = (done) => sock.close(done);
} else {
  const server =
    args.protocol === 'http'
      ? createHttpServer((req, res) => {
          res.setHeader('content-type', 'text/plain');
          res.setHeader('x-pod', args.name);
          res.end(`${args.name} ${req.url ?? ''}\n`);
        })
      : createServer((sock) => {
          sock.on('error', () => undefined);
          sock.end(`${args.name} ${peer(sock.remoteAddress)}\n`);
        });
  server.listen({ port: args.port, host: '::', ipv6Only: false, backlog: 1024 }, ready);
  close = (done) => server.close(done);
}
process.once('SIGTERM', () => close(() => (process.exitCode = 0)));
