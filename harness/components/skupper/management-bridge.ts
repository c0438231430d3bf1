/**
 * How the harness, in the root namespace, reaches a router's AMQP listener inside a
 * worker's namespace without touching the host's network: a `socat` in that namespace
 * listening on a unix socket in the run folder (a file, reachable from any namespace) and
 * connecting each client to the router's normal listener on the namespace's loopback.
 */
import { existsSync } from 'node:fs';
import { Daemon } from '../../sys/daemon.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';

export const BRIDGE_READY_TIMEOUT_MS = 5_000;

export interface ManagementBridgeOptions {
  /** For messages: "router C0". */
  name: string;
  netns: string;
  /** The unix socket to create (keep it short: 107 bytes at most). */
  socket: string;
  /** The router's normal listener on the namespace's loopback. */
  port: number;
  logFile: string;
}

export class ManagementBridge {
  private constructor(
    readonly socket: string,
    readonly daemon: Daemon,
  ) {}

  static async start(ledger: Ledger, o: ManagementBridgeOptions): Promise<ManagementBridge> {
    const daemon = Daemon.start(ledger, {
      name: `management bridge of ${o.name}`,
      netns: o.netns,
      logFile: o.logFile,
      argv: ['socat', `UNIX-LISTEN:${o.socket},fork,unlink-early,mode=600`, `TCP:127.0.0.1:${o.port},nodelay`],
    });
    await waitFor(
      `the management bridge of ${o.name} to create ${o.socket}`,
      async () => {
        if (!daemon.running) throw new WaitAbort(daemon.error('exited before creating its socket'));
        return existsSync(o.socket) ? ready(undefined) : notYet('no socket yet');
      },
      { timeoutMs: BRIDGE_READY_TIMEOUT_MS, intervalMs: 5, maxIntervalMs: 50 },
    );
    return new ManagementBridge(o.socket, daemon);
  }

  async stop(): Promise<void> {
    await this.daemon.stop(1_000);
  }
}
