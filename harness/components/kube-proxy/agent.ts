import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import { HarnessError } from '../../sys/errors.ts';
import type { Ledger } from '../../sys/ledger.ts';
import type { TableFamily } from './render.ts';

export interface KubeProxyAgentOptions {
  /** C0w1: names the status key and the log. */
  worker: string;
  netns: string;
  etcdEndpoints: readonly string[];
  /** Tables to program: `ip`, and `ip6` on dual-stack clusters. */
  families: readonly TableFamily[];
  /** Folder for the agent's log. */
  dir: string;
  /**
   * The service CIDR and the worker's uplink: a route for the CIDR lets programs on the
   * worker itself (nginx ingress, `ping VIP` on the worker) get past the route lookup that
   * comes before the nat output hook; DNAT then re-routes to the endpoint.
   */
  serviceRoutes?: readonly { cidr: string; dev: string }[];
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
    await bridgedTrafficThroughNftables(options.netns, options.worker);
    for (const route of options.serviceRoutes ?? []) {
      await run(['ip', route.cidr.includes(':') ? '-6' : '-4', 'route', 'replace', route.cidr, 'dev', route.dev], { netns: options.netns });
    }
    const daemon = Daemon.start(ledger, {
      name: `kube-proxy ${options.worker}`,
      netns: options.netns,
      logFile: join(options.dir, 'kube-proxy.log'),
      cwd: options.dir,
      argv: nodeTsArgv(AGENT_MAIN, [
        '--worker', options.worker,
        '--etcd', options.etcdEndpoints.join(','),
        '--families', options.families.join(','),
      ]),
    });
    return new KubeProxyAgent(options, daemon);
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}

/**
 * kube-proxy needs br_netfilter: a client pod reaching a service endpoint on its own
 * worker gets its answer straight over the bridge (same subnet), and only br_netfilter
 * puts that bridged reply through conntrack, where the DNAT is undone. Turned on in the
 * worker's namespace (the sysctls are per namespace); without the module, say so.
 */
async function bridgedTrafficThroughNftables(netns: string, worker: string): Promise<void> {
  const r = await run(['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1', 'net.bridge.bridge-nf-call-ip6tables=1'], { netns, reject: false });
  if (r.exitCode !== 0) {
    throw new HarnessError(
      `kube-proxy on ${worker}: cannot turn on net.bridge.bridge-nf-call-iptables (${r.stderr.trim() || `exit ${r.exitCode}`}); ` +
        'load br_netfilter (modprobe br_netfilter): same-worker clients of a service need it, as with kube-proxy. `knetsim doctor` checks it',
    );
  }
}
