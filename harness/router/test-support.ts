/** Helpers for router tests: free loopback ports, config builders, state waits, TCP servers. */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach } from 'vitest';
import { TimeoutError } from '../sys/errors.ts';
import { startRouter, type RouterHandle, type RouterState } from './router.ts';

export const LOOPBACK = '127.0.0.1';

/** A port that was free a moment ago (bind port 0, read it, release it). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, LOOPBACK, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export type Entity = [string, Record<string, unknown>];

/** Lane counts the data-plane tests run with: all in one process, and a child lane process. */
export const LANE_COUNTS = [1, 2] as const;

/** The log entity of test routers: silent unless ROUTER_TEST_LOG names a level. */
export const QUIET_LOG: Entity = ['log', { module: 'DEFAULT', enable: process.env['ROUTER_TEST_LOG'] ?? 'none' }];

/** Minimal interior router config on loopback with an http listener on an ephemeral port. */
export function routerConfig(id: string, extra: Entity[] = [], mode = 'interior', workerThreads?: number): Entity[] {
  return [
    ['router', { id, mode, ...(workerThreads ? { workerThreads } : {}) }],
    ['listener', { name: 'http', host: LOOPBACK, port: 0, http: true }],
    QUIET_LOG,
    ...extra,
  ];
}

/**
 * For a test file: `start(id, lanes, entities, mode)` starts a router (interior by default)
 * with that many lanes and a quiet log; every router it started is closed after each test
 * (closing is idempotent: a test may close one itself).
 */
export function routersClosedAfterEach(): (id: string, lanes: number, entities: Entity[], mode?: 'interior' | 'edge') => Promise<RouterHandle> {
  const started: RouterHandle[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.close()));
  });
  return async (id, lanes, entities, mode = 'interior') => {
    const h = await startRouter([['router', { id, mode, workerThreads: lanes }], QUIET_LOG, ...entities]);
    started.push(h);
    return h;
  };
}

export const interListener = (port: number, extra: Record<string, unknown> = {}): Entity => [
  'listener', { name: 'inter', host: LOOPBACK, port, role: 'inter-router', ...extra },
];
export const interConnector = (name: string, port: number, cost = 1, extra: Record<string, unknown> = {}): Entity => [
  'connector', { name, host: LOOPBACK, port, role: 'inter-router', cost, ...extra },
];

/** Polls `probe` until `ok` (a throwing probe counts as not yet); the TimeoutError says what was last seen. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'nothing yet';
  for (;;) {
    try {
      const v = await probe();
      if (ok(v)) return v;
      lastSeen = JSON.stringify(v)?.slice(0, 600) ?? String(v);
    } catch (e) {
      lastSeen = `probe failed: ${(e as Error).message}`;
    }
    if (Date.now() > deadline) throw new TimeoutError(what, timeoutMs, lastSeen);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function reachable(state: RouterState, address: string, via?: string): boolean {
  return state.addresses.some((a) => a.address === address && (via === undefined || a.nextHop === via));
}

/** Waits until `address` is reachable from `h` and h's tcpListeners for it listen. */
export const waitReachable = (h: RouterHandle, address: string, timeoutMs?: number) =>
  waitFor(`${address} reachable from ${h.id}`, () => h.state(), (s) => reachable(s, address) && s.tcpListeners.every((l) => l.address !== address || l.operStatus === 'up'), timeoutMs);

export const waitLinks = (h: RouterHandle, peers: string[], timeoutMs?: number) =>
  waitFor(`links ${peers.join(',')} up on ${h.id}`, () => h.state(), (s) => peers.every((p) => s.links.some((l) => l.peer === p)), timeoutMs);

/** A TCP server on loopback; `onConn` handles each socket. */
export async function tcpServer(onConn: (s: net.Socket) => void, opts: net.ServerOpts = {}): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(opts, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

export const echoServer = () => tcpServer((s) => s.pipe(s), { allowHalfOpen: true });

/** Connects, writes `data` (then FIN), collects everything until the peer ends. */
export function roundTrip(port: number, data: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      s.end();
      resolve(Buffer.concat(chunks));
    });
    s.on('error', reject);
    s.end(data);
  });
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: LOOPBACK, port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Value of one Prometheus sample, e.g. metric('x_total', {address: 'a'}). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A CA and leaf certificates made with openssl in `dir`; returns file paths by name. */
export async function makePki(dir: string, ca: string, leaves: string[]): Promise<Record<string, { cert: string; key: string }> & { ca: string }> {
  const { execa } = await import('execa');
  const { writeFile } = await import('node:fs/promises');
  const p = (f: string) => `${dir}/${f}`;
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${ca}`,
    '-keyout', p(`${ca}.key`), '-out', p(`${ca}.crt`)]);
  const out: Record<string, { cert: string; key: string }> = {};
  for (const leaf of leaves) {
    await writeFile(p(`${leaf}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    await execa('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${leaf}`, '-keyout', p(`${leaf}.key`), '-out', p(`${leaf}.csr`)]);
    await execa('openssl', ['x509', '-req', '-in', p(`${leaf}.csr`), '-CA', p(`${ca}.crt`), '-CAkey', p(`${ca}.key`), '-CAcreateserial',
      '-days', '2', '-extfile', p(`${leaf}.ext`), '-out', p(`${leaf}.crt`)]);
    out[leaf] = { cert: p(`${leaf}.crt`), key: p(`${leaf}.key`) };
  }
  return Object.assign(out, { ca: p(`${ca}.crt`) });
}

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
