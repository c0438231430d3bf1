/**
 * A pair of routers as separate processes on loopback, as users run them: router A has the
 * tcpListener, router B the tcpConnector to the benchmark's peer, A connects to B's
 * inter-router listener. Our router (node + harness/router/main.ts) or skrouterd, from the
 * same skrouterd-format config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { nodeTsArgv } from '../../harness/sys/node-script.ts';
import { freePort } from '../../harness/router/test-support.ts';

const HOST = '127.0.0.1';

export interface PairOptions {
  kind: 'ours' | 'skrouterd';
  /** Our router's entry point (main.ts). */
  main: string;
  dir: string;
  peerPort: number;
  /** Extra node flags for our router processes (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** router.workerThreads, when set. */
  workerThreads?: number;
  /** The harness's inter-router frame settings (site-config.ts), so we measure what users run. */
  maxFrameSize: number;
  maxSessionFrames: number;
}

export interface RouterPair {
  kind: 'ours' | 'skrouterd';
  /** The tcpListener clients connect to. */
  port: number;
  /** http listeners of A and B (metrics). */
  httpA: number;
  httpB: number;
  /** Every process of both routers (ours: the primaries and their lane processes). */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

type Entity = [string, Record<string, unknown>];

export async function startPair(o: PairOptions): Promise<RouterPair> {
  const [inter, port, httpA, httpB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const frames = { maxFrameSize: o.maxFrameSize, maxSessionFrames: o.maxSessionFrames };
  const router = (id: string): Entity => ['router', { id, mode: 'interior', ...(o.workerThreads ? { workerThreads: o.workerThreads } : {}) }];
  const log = (id: string): Entity => ['log', { module: 'DEFAULT', enable: 'warning+', outputFile: join(o.dir, `${o.kind}-${id}.log`) }];
  const httpL = (p: number): Entity => ['listener', { name: 'http', host: HOST, port: p, http: true }];
  const b: Entity[] = [
    router('B'), log('B'), httpL(httpB),
    ['listener', { name: 'inter', host: HOST, port: inter, role: 'inter-router', ...frames }],
    ['tcpConnector', { name: 'peer', host: HOST, port: o.peerPort, address: 'bench' }],
  ];
  const a: Entity[] = [
    router('A'), log('A'), httpL(httpA),
    ['connector', { name: 'toB', host: HOST, port: inter, role: 'inter-router', cost: 1, ...frames }],
    ['tcpListener', { name: 'bench', host: HOST, port, address: 'bench' }],
  ];
  const children: ChildProcess[] = [];
  for (const [id, cfg] of [['B', b], ['A', a]] as const) {
    const file = join(o.dir, `${o.kind}-${id}.json`);
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    const argv = o.kind === 'skrouterd' ? ['skrouterd', '-c', file] : nodeTsArgv(o.main, ['-c', file]);
    if (o.kind === 'ours') argv.splice(1, 0, ...(o.nodeArgs ?? []));
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
  }
  const pair: RouterPair = {
    kind: o.kind,
    port,
    httpA,
    httpB,
    async pids() {
      const own = children.map((c) => c.pid!);
      // Ours: the primaries and their lane processes (their children).
      return o.kind === 'ours' ? [...own, ...own.flatMap(childPids)] : own;
    },
    async stop() {
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        const t = setTimeout(() => c.kill('SIGKILL'), 3000);
        c.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        c.kill('SIGTERM');
      })));
    },
  };
  for (const c of children) c.once('exit', (code, sig) => {
    if (code !== 0 && sig !== 'SIGTERM' && sig !== 'SIGKILL') process.stderr.write(`${o.kind} router pid ${c.pid} exited ${code ?? sig}\n`);
  });
  return pair;
}

/** The child processes of `pid` (from /proc; none once it is gone). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** GET http://127.0.0.1:port/path, text. */
export function httpText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: HOST, port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** One sample of a Prometheus metric (summed over label sets), or undefined when absent. */
export async function metricSum(port: number, name: string): Promise<number | undefined> {
  const text = await httpText(port, '/metrics').catch(() => '');
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/** CPU time (ns) the processes have used so far, all their threads. */
export function cpuNs(pids: number[]): number {
  let ns = 0;
  for (const pid of pids) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread gone
      }
    }
  }
  return ns;
}
