/**
 * The far end of the router benchmark, a TCP server in its own process:
 *   peer.ts PORT        prints "peer listening on PORT" once bound (PORT 0: an ephemeral one)
 * Each connection starts with one line:
 *   "U <n>\n"  the client uploads n bytes; the server answers "<n>\n" once it has them all
 *   "D <n>\n"  the server sends n bytes, then half-closes
 *   "R <n>\n"  a request: the server answers n bytes and half-closes (short-connection test)
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

/** What the server sends: one 1 MiB block of random-looking bytes, written again and again. */
export const BLOCK: Buffer = Buffer.from(Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24));

/** Writes `n` bytes of BLOCK, honouring backpressure; resolves when the last write is queued. */
export async function writeBytes(sock: Socket, n: number): Promise<void> {
  for (let left = n; left > 0 && !sock.destroyed; ) {
    const chunk = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
    left -= chunk.length;
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
  }
}

function onConnection(sock: Socket): void {
  sock.setNoDelay(true);
  sock.on('error', () => undefined);
  let head: Buffer = Buffer.alloc(0);
  let want = -1;
  let got = 0;
  const onData = (d: Buffer) => {
    if (want >= 0) {
      got += d.length;
      if (got >= want) sock.end(`${got}\n`);
      return;
    }
    head = head.length ? Buffer.concat([head, d]) : d;
    const nl = head.indexOf(10);
    if (nl < 0) return;
    const m = /^([UDR]) (\d+)$/.exec(head.subarray(0, nl).toString());
    const rest = head.subarray(nl + 1);
    if (!m) return void sock.destroy();
    const n = Number(m[2]);
    if (m[1] === 'U') {
      want = n;
      got = rest.length;
      if (got >= want) sock.end(`${got}\n`);
    } else {
      sock.off('data', onData);
      sock.resume();
      void writeBytes(sock, n).then(() => sock.end());
    }
  };
  sock.on('data', onData);
  sock.on('end', () => {
    if (!sock.writableEnded) sock.end();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.argv[2] ?? 0);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
  server.listen(port, '127.0.0.1', () => process.stdout.write(`peer listening on ${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
