import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import type { Ledger } from '../../sys/ledger.ts';

export interface KubeProxyAgentOptions {
  /** C0w1: names the status key and the log. */
  worker: string;
  netns: string;
  etcdEndpoints: readonly string[];
  /** The worker's pod subnet (flannel's FLANNEL_SUBNET). */
  podSubnet: string;
  /** Folder for the agent's log. */
  dir: string;
  /**
   * The service CIDR and the worker's uplink: a route for the CIDR lets programs on the
   * worker itself (nginx ingress, `ping VIP` on the worker) get past the route lookup that
   * comes before the nat output hook; DNAT then re-routes to the endpoint.
   */
  serviceRoute?: { cidr: string; dev: string };
}

const AGENT_MAIN = fileURLToPath(new URL('./agent-main.ts', import.meta.url));

/**
 * Our kube-proxy agent (agent-main.ts) in one worker's namespace. It reports readiness
 * and progress in etcd (see README.md); the harness waits on that, not on this handle.
 */
export class KubeProxyAgent {
  private constructor(
    readonly options: KubeProxyAgentOptions,
    readonly daemon: Daemon,
  ) {}

  static async start(ledger: Ledger, options: KubeProxyAgentOptions): Promise<KubeProxyAgent> {
    mkdirSync(options.dir, { recursive: true });
    if (options.serviceRoute) {
      await run(['ip', 'route', 'replace', options.serviceRoute.cidr, 'dev', options.serviceRoute.dev], { netns: options.netns });
    }
    const daemon = Daemon.start(ledger, {
      name: `kube-proxy ${options.worker}`,
      netns: options.netns,
      logFile: join(options.dir, 'kube-proxy.log'),
      cwd: options.dir,
      argv: nodeTsArgv(AGENT_MAIN, [
        '--worker', options.worker,
        '--etcd', options.etcdEndpoints.join(','),
        '--pod-subnet', options.podSubnet,
      ]),
    });
    return new KubeProxyAgent(options, daemon);
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
