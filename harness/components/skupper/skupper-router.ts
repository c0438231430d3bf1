import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRouterConfig } from '../../router/index.ts';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import type { Ledger } from '../../sys/ledger.ts';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { notYet, ready, waitFor, WaitAbort } from '../../sys/wait.ts';
import { HTTP_PORT, siteConfig, type SiteSpec } from './site-config.ts';

const ROUTER_MAIN = fileURLToPath(new URL('../../router/main.ts', import.meta.url));
export const ROUTER_READY_TIMEOUT_MS = 30_000;

export type RouterKind = 'builtin' | 'skrouterd';

/** The real skrouterd when it is on PATH (or KNETSIM_ROUTER=skrouterd), else our own router. */
export function routerKind(): RouterKind {
  const want = process.env.KNETSIM_ROUTER;
  if (want === 'builtin' || want === 'skrouterd') return want;
  const onPath = (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, 'skrouterd'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return onPath ? 'skrouterd' : 'builtin';
}

/** What the built-in router's GET /state says (the parts the harness waits on). */
export interface RouterStateView {
  id: string;
  links: { peer: string }[];
  addresses: { address: string; router: string; cost: number }[];
}

export interface SkupperRouterOptions {
  site: SiteSpec;
  /** The namespace of the cluster's first worker, where the router runs. */
  netns: string;
  dir: string;
}

/**
 * A skupper router for one cluster, started on its first worker with a generated config
 * file (kept in the run folder). Ready when every link it should have is up and every
 * address it should reach is reachable, observed through the router's own state.
 */
export class SkupperRouter {
  private constructor(
    readonly options: SkupperRouterOptions,
    readonly kind: RouterKind,
    readonly configFile: string,
    private current: Daemon,
    private readonly respawn: () => Daemon,
  ) {}

  get daemon(): Daemon {
    return this.current;
  }

  /** SIGKILL, for fault injection; `restart()` brings it back with the same config. */
  async kill(): Promise<void> {
    await this.current.kill('SIGKILL');
  }

  restart(): void {
    this.current = this.respawn();
  }

  static start(ledger: Ledger, options: SkupperRouterOptions): SkupperRouter {
    const config = siteConfig(options.site);
    // The generated config is checked by the router's own schema before anything runs.
    parseRouterConfig(config, `generated router config of ${options.site.id}`);
    const configFile = join(options.dir, `${options.site.id}.json`);
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const kind = routerKind();
    const logFile = join(options.dir, `${options.site.id}.log`);
    const argv = kind === 'skrouterd' ? ['skrouterd', '-c', configFile] : nodeTsArgv(ROUTER_MAIN, ['-c', configFile, '--log', logFile]);
    const spawn = () => Daemon.start(ledger, { name: `router ${options.site.id}`, netns: options.netns, logFile: join(options.dir, `${options.site.id}.out`), argv });
    return new SkupperRouter(options, kind, configFile, spawn(), spawn);
  }

  get id(): string {
    return this.options.site.id;
  }

  /** GET on the router's http listener, from inside its namespace. */
  async http(path: string): Promise<{ status: number; body: string }> {
    const r = await run(['socat', '-t', '2', '-T', '3', '-', `TCP:127.0.0.1:${HTTP_PORT}`], {
      netns: this.options.netns,
      input: `GET ${path} HTTP/1.0\r\nHost: router\r\n\r\n`,
      timeoutMs: 5_000,
    });
    const [head = '', ...rest] = r.stdout.split('\r\n\r\n');
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0);
    return { status, body: rest.join('\r\n\r\n') };
  }

  async state(): Promise<RouterStateView> {
    const r = await this.http('/state');
    if (r.status !== 200) throw new Error(`GET /state answered ${r.status || 'nothing'}`);
    return JSON.parse(r.body) as RouterStateView;
  }

  /** Waits until links to `peers` are up and `addresses` are reachable (skrouterd: until /healthz is 200). */
  async waitReady(expect: { peers: readonly string[]; addresses: readonly string[] }, timeoutMs = ROUTER_READY_TIMEOUT_MS): Promise<void> {
    await waitFor(
      `router ${this.id} to link with [${expect.peers.join(', ')}] and reach [${expect.addresses.join(', ')}]`,
      async () => {
        if (!this.daemon.running) throw new WaitAbort(this.daemon.error('exited before it was ready'));
        if (this.kind === 'skrouterd') {
          const h = await this.http('/healthz');
          return h.status === 200 ? ready(undefined) : notYet(`/healthz answered ${h.status || 'nothing'}`);
        }
        const s = await this.state();
        const up = new Set(s.links.map((l) => l.peer));
        const reach = new Set(s.addresses.map((a) => a.address));
        const missingLinks = expect.peers.filter((p) => !up.has(p));
        const missingAddrs = expect.addresses.filter((a) => !reach.has(a));
        if (missingLinks.length === 0 && missingAddrs.length === 0) return ready(undefined);
        return notYet(`links up: [${[...up].join(', ')}], addresses: [${[...reach].join(', ')}]`);
      },
      { timeoutMs, intervalMs: 20, maxIntervalMs: 100 },
    ).catch((e: Error) => {
      throw e.name === 'TimeoutError' ? this.daemon.error(e.message) : e;
    });
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
  }
}
