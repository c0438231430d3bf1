/**
 * A bulk-transfer peer for checking that bytes cross the router network intact.
 *
 *   bulk-main.ts serve PORT                 for each connection: "PUT\n" then bytes until
 *                                           half-close → answers the sha256 of what came;
 *                                           "GET <n> <seed>\n" → sends n bytes, closes.
 *   bulk-main.ts put HOST PORT N SEED       sends N bytes, prints {bytes, sha256, remote, ms}
 *   bulk-main.ts get HOST PORT N SEED       receives N bytes, prints {bytes, sha256, expected, ms}
 *
 * The bytes are AES-128-CTR keystream of the seed: the same on both ends, fast, not compressible.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createConnection, createServer, type Socket } from 'node:net';

const CHUNK = 1 << 20;

function* stream(n: number, seed: string): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = n; left > 0; left -= CHUNK) yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
}

function digestOf(n: number, seed: string): string {
  const h = createHash('sha256');
  for (const c of stream(n, seed)) h.update(c);
  return h.digest('hex');
}

async function send(sock: Socket, n: number, seed: string): Promise<void> {
  for (const c of stream(n, seed)) {
    if (!sock.write(c)) await new Promise((r) => sock.once('drain', r));
  }
}

function serve(port: number): void {
  createServer({ allowHalfOpen: true }, (sock) => {
    let head = Buffer.alloc(0);
    let mode: 'head' | 'put' = 'head';
    const h = createHash('sha256');
    let bytes = 0;
    sock.on('data', (d: Buffer) => {
      if (mode === 'put') {
        h.update(d);
        bytes += d.length;
        return;
      }
      head = Buffer.concat([head, d]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      const line = head.subarray(0, nl).toString();
      const rest = head.subarray(nl + 1);
      const get = /^GET (\d+) (\S+)$/.exec(line);
      if (line === 'PUT') {
        mode = 'put';
        h.update(rest);
        bytes += rest.length;
      } else if (get) {
        sock.pause();
        void send(sock, Number(get[1]), get[2]!).then(() => sock.end());
      } else sock.destroy();
    });
    sock.on('end', () => {
      if (mode === 'put') sock.end(`${bytes} ${h.digest('hex')}\n`);
    });
    sock.on('error', () => undefined);
  }).listen(port, '0.0.0.0', () => process.stdout.write(`bulk listening on ${port}\n`));
}

async function client(op: string, host: string, port: number, n: number, seed: string): Promise<void> {
  const t0 = performance.now();
  const sock = createConnection({ host, port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const h = createHash('sha256');
  let bytes = 0;
  let reply = '';
  const done = new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      if (op === 'get') {
        h.update(d);
        bytes += d.length;
      } else reply += d.toString();
    });
    sock.on('end', resolve);
    sock.on('error', reject);
  });
  if (op === 'put') {
    sock.write('PUT\n');
    await send(sock, n, seed);
    sock.end();
  } else sock.write(`GET ${n} ${seed}\n`);
  await done;
  const ms = Math.round(performance.now() - t0);
  const out =
    op === 'put'
      ? { bytes: n, sha256: digestOf(n, seed), remote: reply.trim(), ms }
      : { bytes, sha256: h.digest('hex'), expected: digestOf(n, seed), ms };
  process.stdout.write(JSON.stringify(out) + '\n');
  sock.destroy();
}

const [cmd, a, b, c, d] = process.argv.slice(2);
if (cmd === 'serve') serve(Number(a));
else if ((cmd === 'put' || cmd === 'get') && a && b && c && d) {
  client(cmd, a, Number(b), Number(c), d).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write('usage: bulk-main.ts serve PORT | put|get HOST PORT N SEED\n');
  process.exitCode = 2;
}
