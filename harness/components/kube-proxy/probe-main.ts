/**
 * The client side of `svc.spread()`: one process making `count` requests to host:port
 * (at most `concurrency` at once), each reading the "<name> <peer>" the backend answers.
 *   tcp: a new connection per request (a new source port, so a new pick by the VIP);
 *   udp: a new socket per request sending one datagram, resent from the same socket
 *        (same source port, so the same conntrack entry and endpoint, as a resolver does)
 *        up to --retries times when no answer comes within --timeout-ms. A request counts
 *        as failed only when every try went unanswered; resends are reported as `resent`.
 * With --source-port every request uses that local port (sequentially): a long-lived
 * client, whose UDP conntrack entry outlives requests.
 * Prints one JSON line: { counts, peers, failures, errors, resent, ms, latencyMs }.
 *   node --import tsx probe-main.ts --host 100.64.10.2 --port 80 --count 200 [--protocol udp]
 */
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const args = z
  .object({
    host: z.string().ip(),
    port: z.coerce.number().int().min(1).max(65535),
    count: z.coerce.number().int().min(1).max(1_000_000),
    concurrency: z.coerce.number().int().min(1).max(512).default(1),
    'timeout-ms': z.coerce.number().int().min(10).max(60_000).default(1000),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    retries: z.coerce.number().int().min(0).max(10).default(2),
    'source-port': z.coerce.number().int().min(1).max(65535).optional(),
  })
  .parse(
    parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        count: { type: 'string' },
        concurrency: { type: 'string' },
        'timeout-ms': { type: 'string' },
        protocol: { type: 'string' },
        retries: { type: 'string' },
        'source-port': { type: 'string' },
      },
    }).values,
  );
if (args['source-port'] !== undefined && args.concurrency !== 1) throw new Error('--source-port needs --concurrency 1');

interface Answer {
  name: string;
  peer: string;
}

/** Datagrams sent again because no answer came in time (UDP only). */
let resent = 0;

function parseAnswer(body: string): Answer {
  const [name, peer] = body.trim().split(/\s+/);
  if (!name) throw new Error('EMPTY');
  return { name, peer: peer ?? '?' };
}

function tcpOnce(): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: args.host, port: args.port, ...(args['source-port'] ? { localPort: args['source-port'] } : {}) });
    let body = '';
    const timer = setTimeout(() => sock.destroy(new Error('ETIMEDOUT')), args['timeout-ms']);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (body += d));
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswer(body));
      } catch (e) {
        reject(e);
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code ?? e.message));
    });
  });
}

function udpOnce(): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(args.host) ? 'udp6' : 'udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, answer?: Answer) => {
      clearTimeout(timer);
      resent += Math.max(0, tries - 1);
      sock.removeAllListeners('message');
      sock.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    const send = () => {
      tries++;
      sock.send('?');
      timer = setTimeout(() => (tries > args.retries ? finish(new Error('ETIMEDOUT')) : send()), args['timeout-ms']);
    };
    // A connected socket only accepts datagrams from host:port: an answer that was not
    // translated back to the VIP never counts.
    sock.on('message', (msg) => {
      try {
        finish(undefined, parseAnswer(msg.toString('utf8')));
      } catch (e) {
        finish(e as Error);
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new Error(e.code ?? e.message)));
    sock.bind(args['source-port'] ?? 0, () => sock.connect(args.port, args.host, send));
  });
}

const counts: Record<string, number> = {};
const peers: Record<string, number> = {};
const errors: Record<string, number> = {};
const latencies: number[] = [];
let failures = 0;
let next = 0;
const t0 = performance.now();
const once = args.protocol === 'udp' ? udpOnce : tcpOnce;
await Promise.all(
  Array.from({ length: Math.min(args.concurrency, args.count) }, async () => {
    while (next < args.count) {
      next++;
      const start = performance.now();
      try {
        const a = await once();
        counts[a.name] = (counts[a.name] ?? 0) + 1;
        peers[a.peer] = (peers[a.peer] ?? 0) + 1;
      } catch (e) {
        failures++;
        const code = (e as Error).message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
      latencies.push(performance.now() - start);
    }
  }),
);
latencies.sort((a, b) => a - b);
const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! * 10) / 10;
process.stdout.write(
  JSON.stringify({ counts, peers, failures, errors, resent, ms: Math.round(performance.now() - t0), latencyMs: { p50: q(0.5), p99: q(0.99), max: q(1) } }) + '\n',
);
