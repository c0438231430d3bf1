/** Plain or TLS socket servers for router listeners, with the bound port known after start. */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { getSystemErrorName } from 'node:util';
import { HarnessError } from '../sys/errors.ts';
import type { TlsMaterial } from './tls.ts';

/** A listener could not bind; says which entity, where, and why (EADDRINUSE, EACCES...). */
export class ListenError extends HarnessError {
  override name = 'ListenError';
  constructor(readonly what: string, readonly host: string, readonly port: number, cause: Error) {
    super(`${what}: cannot listen on ${host}:${port}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`, { cause });
  }
}

/** server.listen as a promise, failing with a ListenError. */
export function listenOn(server: net.Server, what: string, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(new ListenError(what, host, port, e));
    server.once('error', fail);
    server.listen({ host, port }, () => {
      server.off('error', fail);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export interface BoundServer {
  server: net.Server;
  port: number;
  close(): Promise<void>;
}

/** Listens; `onSocket` gets each accepted (and, with TLS, authorised) socket. */
export async function listenSockets(
  what: string,
  host: string,
  port: number,
  tlsOpts: (TlsMaterial & { requestCert: boolean }) | undefined,
  onSocket: (s: net.Socket) => void,
  onTlsError: (err: Error) => void,
  netOpts: net.ServerOpts = {},
): Promise<BoundServer> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  let server: net.Server;
  if (tlsOpts) {
    server = tls.createServer({ ...tlsOpts, rejectUnauthorized: tlsOpts.requestCert, ...netOpts }, (s) => onSocket(s));
    server.on('tlsClientError', (err) => onTlsError(err));
    server.on('connection', track);
  } else {
    server = net.createServer(netOpts, (s) => {
      track(s);
      onSocket(s);
    });
  }
  const bound = await listenOn(server, what, host, port);
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A TCP socket bound to an address but not listening yet: lanes listen on it (lane.ts). */
export interface BoundHandle {
  /** libuv's TCP handle (Node's internal TCPWrap): sent to lane processes, given to server.listen(). */
  handle: unknown;
  port: number;
  close(): void;
}

interface TcpWrap {
  getsockname(out: { port?: number }): number;
  close(): void;
}

/**
 * Binds host:port without listening, as Node's cluster module does for shared server sockets
 * (`net._createServerHandle`): the lanes that listen on it take connections, while this
 * process holds it without accepting any.
 */
export async function bindHandle(what: string, host: string, port: number): Promise<BoundHandle> {
  let address = host;
  if (!net.isIP(host)) {
    try {
      address = (await lookup(host)).address;
    } catch (e) {
      throw new ListenError(what, host, port, e as Error);
    }
  }
  const create = (net as unknown as { _createServerHandle(a: string, p: number, t: number): TcpWrap | number })._createServerHandle;
  const h = create(address, port, net.isIP(address));
  if (typeof h === 'number') {
    const err = Object.assign(new Error(getSystemErrorName(h)), { code: getSystemErrorName(h) });
    throw new ListenError(what, host, port, err);
  }
  // libuv keeps EADDRINUSE from bind(2) for listen(2) (which this process never calls): a
  // socket the kernel did not bind has no port yet.
  const out: { port?: number } = {};
  h.getsockname(out);
  if (!out.port || (port !== 0 && out.port !== port)) {
    h.close();
    throw new ListenError(what, host, port, Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' }));
  }
  return { handle: h, port: out.port, close: () => h.close() };
}
