/**
 * The client side of `svc.spread()`: one process making `count` TCP connections to
 * host:port (at most `concurrency` at once), each reading the name the backend answers.
 * Prints one JSON line: { counts, failures, errors, ms }.
 *   node --import tsx probe-main.ts --host 100.64.10.2 --port 80 --count 200
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const args = z
  .object({
    host: z.string().ip({ version: 'v4' }),
    port: z.coerce.number().int().min(1).max(65535),
    count: z.coerce.number().int().min(1).max(1_000_000),
    concurrency: z.coerce.number().int().min(1).max(512).default(1),
    'timeout-ms': z.coerce.number().int().min(10).max(60_000).default(1000),
  })
  .parse(
    parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        count: { type: 'string' },
        concurrency: { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
    }).values,
  );

function once(): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: args.host, port: args.port });
    let body = '';
    const timer = setTimeout(() => sock.destroy(new Error('ETIMEDOUT')), args['timeout-ms']);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (body += d));
    sock.on('end', () => {
      clearTimeout(timer);
      const name = body.trim();
      if (name) resolve(name);
      else reject(new Error('EMPTY'));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code ?? e.message));
    });
  });
}

const counts: Record<string, number> = {};
const errors: Record<string, number> = {};
let failures = 0;
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: Math.min(args.concurrency, args.count) }, async () => {
    while (next < args.count) {
      next++;
      try {
        const name = await once();
        counts[name] = (counts[name] ?? 0) + 1;
      } catch (e) {
        failures++;
        const code = (e as Error).message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  }),
);
process.stdout.write(JSON.stringify({ counts, failures, errors, ms: Math.round(performance.now() - t0) }) + '\n');
