/** Plain or TLS socket servers for router listeners, with the bound port known after start. */
import net from 'node:net';
import tls from 'node:tls';
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
