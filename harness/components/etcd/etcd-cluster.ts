import { mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Daemon } from '../../sys/daemon.ts';
import { HarnessError } from '../../sys/errors.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';

export interface EtcdMemberSpec {
  name: string;
  ip: string;
  netns: string;
}

export interface EtcdClusterOptions {
  /** Cluster name, for messages and the etcd cluster token. */
  cluster: string;
  members: readonly EtcdMemberSpec[];
  /** Folder for data dirs, logs and the client sockets. */
  dir: string;
  readyTimeoutMs?: number;
}

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_READY_TIMEOUT_MS = 20_000;

/** Per member: the unix socket etcd also serves clients on, so the harness (in the root namespace) can reach it. */
const SOCKET = 'client.sock:0';

/**
 * Real etcd members (Debian etcd-server), each in its own namespace on the cluster
 * bridge. Workers reach them over the underlay at http://IP:2379; the harness reaches
 * them through a unix socket etcd listens on in the member's folder.
 */
export class EtcdCluster {
  private client: Etcd3 | undefined;

  private constructor(
    readonly options: EtcdClusterOptions,
    readonly daemons: Daemon[],
    private readonly ledger: Ledger,
  ) {}

  /** Client URLs as workers use them. */
  get endpoints(): string[] {
    return this.options.members.map((m) => `http://${m.ip}:${ETCD_CLIENT_PORT}`);
  }

  /** Unix sockets for the harness's own clients. */
  get sockets(): string[] {
    return this.options.members.map((m) => join(this.options.dir, m.name, SOCKET));
  }

  static async start(ledger: Ledger, options: EtcdClusterOptions): Promise<EtcdCluster> {
    const daemons = options.members.map((m) => EtcdCluster.spawnMember(ledger, options, m));
    const etcd = new EtcdCluster(options, daemons, ledger);
    try {
      await etcd.waitHealthy(options.readyTimeoutMs ?? ETCD_READY_TIMEOUT_MS);
    } catch (e) {
      await etcd.stop();
      throw e;
    }
    return etcd;
  }

  private static spawnMember(ledger: Ledger, options: EtcdClusterOptions, m: EtcdMemberSpec): Daemon {
    const initialCluster = options.members.map((x) => `${x.name}=http://${x.ip}:${ETCD_PEER_PORT}`).join(',');
    const dir = join(options.dir, m.name);
    mkdirSync(dir, { recursive: true });
    return Daemon.start(ledger, {
      name: `etcd ${m.name}`,
      netns: m.netns,
      cwd: dir,
      logFile: join(dir, 'etcd.log'),
      argv: [
        'etcd',
        '--name', m.name,
        '--data-dir', join(dir, 'data'),
        '--listen-client-urls', `http://${m.ip}:${ETCD_CLIENT_PORT},http://127.0.0.1:${ETCD_CLIENT_PORT},unix://${SOCKET}`,
        '--advertise-client-urls', `http://${m.ip}:${ETCD_CLIENT_PORT}`,
        '--listen-peer-urls', `http://${m.ip}:${ETCD_PEER_PORT}`,
        '--initial-advertise-peer-urls', `http://${m.ip}:${ETCD_PEER_PORT}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', `knetsim-${options.cluster}`,
        '--initial-cluster-state', 'new',
        // Small and quick: a simulation's etcd holds a few dozen keys.
        '--heartbeat-interval', '50',
        '--election-timeout', '500',
        '--snapshot-count', '10000',
        '--quota-backend-bytes', String(64 * 1024 * 1024),
      ],
    });
  }

  /** Index of a member by name (default: the last one). */
  memberIndex(name?: string): number {
    const i = name === undefined ? this.options.members.length - 1 : this.options.members.findIndex((m) => m.name === name);
    if (i < 0) {
      throw new HarnessError(`etcd of ${this.options.cluster} has no member "${name}" (members: ${this.options.members.map((m) => m.name).join(', ')})`);
    }
    return i;
  }

  /** Kills one member with SIGKILL (a crash); its data dir stays. */
  async killMember(name?: string): Promise<void> {
    await this.daemons[this.memberIndex(name)]!.kill('SIGKILL');
  }

  /**
   * Starts a member again with the same flags (its data dir makes it rejoin; the
   * --initial-* flags are then ignored) and waits until every member is healthy.
   */
  async restartMember(name?: string, timeoutMs = ETCD_READY_TIMEOUT_MS): Promise<void> {
    const i = this.memberIndex(name);
    await this.daemons[i]!.stop();
    // A killed etcd leaves its unix socket file behind, and would not bind it again.
    rmSync(this.sockets[i]!, { force: true });
    this.daemons[i] = EtcdCluster.spawnMember(this.ledger, this.options, this.options.members[i]!);
    await this.waitHealthy(timeoutMs);
  }

  /** Waits until every member's /health says true. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.options.members.map((m, i) =>
        waitFor(
          `etcd ${m.name} /health to report true`,
          async () => {
            const d = this.daemons[i]!;
            if (!d.running) throw new WaitAbort(d.error('exited before it was healthy'));
            const body = await httpOverUnix(this.sockets[i]!, '/health').catch((e: Error) => `no answer (${e.message})`);
            return /"health":\s*"true"/.test(body) ? ready(undefined) : notYet(body.trim());
          },
          // A probe is one request over a unix socket: poll closely, start-up waits on it.
          { timeoutMs, intervalMs: 5, maxIntervalMs: 25 },
        ).catch((e: Error) => {
          throw e.name === 'TimeoutError' ? this.daemons[i]!.error(e.message) : e;
        }),
      ),
    );
  }

  /** The harness's etcd3 client (over the members' unix sockets), made on first use. */
  kv(): Etcd3 {
    this.client ??= new Etcd3({ hosts: this.sockets.map((s) => `unix://${s}`) });
    return this.client;
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    await Promise.all(this.daemons.map((d) => d.stop()));
  }
}

function httpOverUnix(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 1 s')));
    req.on('error', reject);
    req.end();
  });
}
