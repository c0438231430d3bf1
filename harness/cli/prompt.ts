import { spawn } from 'node:child_process';
import type { Cluster } from '../model/cluster.ts';
import type { Simulation } from '../model/simulation.ts';
import { Pod } from '../model/pod.ts';
import { Worker } from '../model/worker.ts';
import { inNetns } from '../sys/exec.ts';
import { tokenize } from './tokenize.ts';

export const PROMPT_HELP = `Commands (Mininet style):
  <node> <cmd> [args...]   run a program in a worker (C0w1) or a pod (C0w1:c1, or C0:c1)
                           node names in args become their IPs: C0w1:c1 ping -c 3 C0w2:c2
  nodes                    workers and etcd members, with addresses and flannel subnets
  pods                     pods, with their workers and addresses
  services                 services (VIP, ports, mode, endpoints) of every cluster
  nft C0w1                 the worker's nftables ruleset (kube-proxy's table ip knetsim)
  expose NAME VIP POD...   a kube-proxy Service over pods (C0:c2 C0:c3; VIP "auto" allocates)
  unexpose NAME            remove it (NAME or C0/NAME)
  router C1 [TYPE]         the cluster's skupper router, read through AMQP management: routers
                           reached, tcpListeners, tcpConnectors, connectors (or every TYPE entity:
                           router C1 connection)
  py C0.kp_vip_add("100.64.10.1", ["c2", "c3"])   the deck's static VIP (jhash ip checksum)
  py C0w1.exec_container("c1", "ifconfig")   the deck's forms: exec_container,
  py C0w1.create_container("c10")            create_container, delete_container
  py C0w1.delete_container("c10")
  help                     this text
  exit | quit | Ctrl-D     tear everything down and leave
Programs run directly (no shell): for pipes, ask for one: C0w1 sh -c "ip addr | grep inet"`;

/** What `router C1` shows: entity type → attributes. */
const ROUTER_VIEWS: Record<string, string[]> = {
  'router.node': ['id', 'nextHop', 'cost'],
  tcpListener: ['name', 'address', 'port', 'operStatus'],
  tcpConnector: ['name', 'address', 'host', 'port'],
  connector: ['name', 'host', 'port', 'role', 'connectionStatus'],
};

/** Management QUERY rows as a table, one column per attribute ('-' for none). */
export function rowsTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '  (none)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return table([cols, ...rows.map((r) => cols.map((c) => cell(r[c])))]).replace(/^/gm, '  ');
}

/** Runs argv in a namespace with the terminal attached; resolves to the exit code. */
export type CommandRunner = (netns: string, argv: string[]) => Promise<number>;

export const runAttached: CommandRunner = (netns, argv) =>
  new Promise((resolve) => {
    const full = inNetns(netns, argv);
    const child = spawn(full[0]!, full.slice(1), { stdio: 'inherit' });
    const ignore = () => undefined; // Ctrl-C stops the command, not the prompt
    process.on('SIGINT', ignore);
    const done = (code: number) => {
      process.off('SIGINT', ignore);
      resolve(code);
    };
    child.on('error', (e) => {
      process.stderr.write(`*** ${argv[0]}: ${e.message}\n`);
      done(127);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });

/** The interactive prompt's commands, over a live simulation. */
export class Prompt {
  constructor(
    private readonly sim: Simulation,
    private readonly print: (text: string) => void,
    private readonly runCommand: CommandRunner = runAttached,
  ) {}

  /** Handles one line; resolves to 'exit' when the user asked to leave. */
  async handle(line: string): Promise<'exit' | undefined> {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return undefined;
    try {
      const py = /^py\s+(.*)$/.exec(trimmed);
      if (py) return await this.python(py[1]!.trim());
      const argv = tokenize(trimmed);
      const [head, ...rest] = argv;
      switch (head) {
        case 'exit':
        case 'quit':
          return 'exit';
        case 'help':
          this.print(PROMPT_HELP);
          return undefined;
        case 'nodes':
          this.print(this.nodes());
          return undefined;
        case 'pods':
          this.print(this.pods());
          return undefined;
        case 'services':
          this.print(this.services());
          return undefined;
        case 'nft': {
          const w = this.sim.find(rest[0] ?? '');
          if (!(w instanceof Worker)) throw new Error('usage: nft <worker>, e.g. nft C0w1');
          await this.runCommand(w.netns, ['nft', 'list', 'ruleset']);
          return undefined;
        }
        case 'expose':
          await this.expose(rest);
          return undefined;
        case 'router':
          await this.router(rest);
          return undefined;
        case 'unexpose': {
          const [cluster, name] = this.serviceRef(rest[0]);
          await cluster.unexpose(name);
          this.print(`removed service ${cluster.name}/${name}`);
          return undefined;
        }
      }
      const node = this.sim.find(head!);
      if (!node) {
        this.print(`*** Unknown command or node: ${head} (try: help, nodes, pods)`);
        return undefined;
      }
      if (rest.length === 0) {
        this.print(`*** Give a command to run on ${head}, e.g. ${head} ip addr`);
        return undefined;
      }
      await this.runCommand(node.netns, rest.map((a) => resolveNames(a, (n) => this.sim.find(n)?.ip)));
    } catch (e) {
      this.print(`*** ${(e as Error).message}`);
    }
    return undefined;
  }

  nodes(): string {
    const rows = [['node', 'ip', 'flannel subnet', 'namespace']];
    for (const c of this.sim.clusters.values()) {
      for (const w of c.listWorkers()) rows.push([w.fullName, w.ip, w.subnet.subnet, w.netns]);
      c.plan.etcd.forEach((m) => rows.push([`${m.name} (etcd)`, m.ip, '', this.sim.netnsName(m.name)]));
    }
    return table(rows);
  }

  pods(): string {
    const rows = [['pod', 'ip', 'worker', 'namespace']];
    for (const c of this.sim.clusters.values()) {
      for (const p of c.listPods()) rows.push([p.label, p.ip, p.worker.fullName, p.netns]);
    }
    return table(rows);
  }

  services(): string {
    const rows = [['service', 'vip', 'ports', 'mode', 'endpoints']];
    for (const c of this.sim.clusters.values()) {
      for (const svc of c.services.list()) {
        const ports = svc.ports.map((p) => `${p.port}/${p.protocol}→${p.targetPort}${p.nodePort ? ` (node ${p.nodePort})` : ''}`).join(',') || 'all';
        const eps = svc.endpoints.map((e) => `${e.pod}=${e.ip}${e.ready ? '' : ' (not ready)'}`).join(' ');
        rows.push([`${c.name}/${svc.name}`, svc.vip, ports, svc.mode, eps]);
      }
    }
    return rows.length > 1 ? table(rows) : 'no services (try: expose web auto C0:c2 C0:c3)';
  }

  /** A cluster's router state through management (the same queries the harness waits on). */
  private async router(args: string[]): Promise<void> {
    const [cluster, type] = args;
    if (!cluster) throw new Error('usage: router <cluster> [TYPE], e.g. router C1, router C1 connection');
    const r = this.sim.multicluster.router(cluster);
    const views: [string, string[]][] = type ? [[type, []]] : Object.entries(ROUTER_VIEWS);
    for (const [t, attrs] of views) this.print(`${t}:\n${rowsTable(await r.query(t, attrs))}`);
  }

  private async expose(args: string[]): Promise<void> {
    const [name, vip, ...pods] = args;
    if (!name || !vip || pods.length === 0) throw new Error('usage: expose NAME VIP|auto POD... (e.g. expose web 100.64.10.5 C0:c2 C0:c3)');
    const refs = pods.map((p) => this.podRef(p));
    const cluster = refs[0]![0];
    if (refs.some(([c]) => c !== cluster)) throw new Error('expose: all pods must be in one cluster');
    const svc = await cluster.expose(name, { ...(vip === 'auto' ? {} : { vip }), pods: refs.map(([, p]) => p) });
    this.print(`service ${cluster.name}/${svc.name}: ${svc.vip} → ${svc.endpoints.map((e) => `${e.pod} (${e.ip})`).join(', ')}`);
  }

  /** C0:c2, C0w2:c2 or c2 (first cluster that has it). */
  private podRef(ref: string): [Cluster, string] {
    const found = ref.includes(':') ? this.sim.find(ref) : undefined;
    if (found instanceof Pod) return [found.worker.cluster, found.name];
    const c = [...this.sim.clusters.values()].find((c) => c.hasPod(ref));
    if (!c) throw new Error(`no pod ${ref} (try: pods)`);
    return [c, ref];
  }

  /** NAME or C0/NAME. */
  private serviceRef(ref: string | undefined): [Cluster, string] {
    if (!ref) throw new Error('usage: unexpose NAME');
    const [cname, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    const c = cname ? this.sim.cluster(cname) : [...this.sim.clusters.values()].find((c) => c.services.has(name!));
    if (!c || !c.services.has(name!)) throw new Error(`no service ${ref} (try: services)`);
    return [c, name!];
  }

  /** The deck's `py C0.kp_vip_add("100.64.10.1", ["c2", "c3"])`: a static, port-less VIP. */
  private async kpVipAdd(cluster: Cluster, argSrc: string): Promise<void> {
    const m = /^\s*("[^"]*"|'[^']*')\s*,\s*\[(.*)\]\s*$/.exec(argSrc);
    if (!m) throw new Error('py: kp_vip_add takes ("VIP", ["pod", ...])');
    const [vip] = parsePyArgs(m[1]!);
    const pods = parsePyArgs(m[2]!);
    const name = `vip-${vip!.replace(/\./g, '-')}`;
    const svc = await cluster.expose(name, { vip: vip!, pods, mode: 'static' });
    this.print(`service ${cluster.name}/${svc.name}: ${svc.vip} → ${svc.endpoints.map((e) => `${e.pod} (${e.ip})`).join(', ')} (static, as the deck)`);
  }

  /** The deck's `py C0w1.exec_container("c1", "ifconfig")` and friends. */
  private async python(expr: string): Promise<undefined> {
    const m = /^([A-Za-z]\w*)\.(\w+)\((.*)\)$/.exec(expr);
    if (m && m[2] === 'kp_vip_add' && this.sim.clusters.has(m[1]!)) {
      await this.kpVipAdd(this.sim.cluster(m[1]!), m[3]!);
      return undefined;
    }
    const worker = m ? this.sim.find(m[1]!) : undefined;
    if (!m || !(worker instanceof Worker)) {
      this.print(`*** py: only <worker>.exec_container/create_container/delete_container(...) and <cluster>.kp_vip_add(...) are understood here`);
      return undefined;
    }
    const args = parsePyArgs(m[3]!);
    const [pod, command] = args;
    switch (m[2]) {
      case 'create_container': {
        const p = await worker.createPod(requireArg(pod, 'container name'));
        this.print(`created ${p.label} with IP ${p.ip}`);
        return undefined;
      }
      case 'delete_container': {
        const p = podOn(worker, requireArg(pod, 'container name'));
        await p.delete();
        this.print(`deleted ${p.label}`);
        return undefined;
      }
      case 'exec_container': {
        const p = podOn(worker, requireArg(pod, 'container name'));
        await this.runCommand(p.netns, tokenize(requireArg(command, 'command')).map((a) => resolveNames(a, (n) => this.sim.find(n)?.ip)));
        return undefined;
      }
      default:
        this.print(`*** py: ${worker.fullName} has no method ${m[2]}`);
        return undefined;
    }
  }
}

/** A pod of the worker's cluster that runs on that worker (the deck names containers per worker). */
function podOn(worker: Worker, name: string): Pod {
  const p = worker.cluster.pod(name);
  if (p.worker !== worker) throw new Error(`${p.label} is not on ${worker.fullName}`);
  return p;
}

function requireArg(v: string | undefined, what: string): string {
  if (v === undefined || v === '') throw new Error(`py: missing ${what}`);
  return v;
}

/**
 * A node name in an argument becomes its address: `C0w2:c2` (a pod) or `C1w1` (a worker)
 * as a whole word, and a worker in `C1w1:1028` or `http://C1w1:1028/x` (host:port).
 */
export function resolveNames(arg: string, ipOf: (name: string) => string | undefined): string {
  const whole = ipOf(arg);
  if (whole) return whole;
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([A-Za-z][A-Za-z0-9]*)(:\d+(?:\/.*)?)$/.exec(arg);
  const ip = m ? ipOf(m[2]!) : undefined;
  return ip ? `${m![1] ?? ''}${ip}${m![3]}` : arg;
}

/** Python call arguments: string literals in single or double quotes, comma separated. */
export function parsePyArgs(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*(,|$)/y;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`py: cannot read arguments ${JSON.stringify(src)} (use string literals)`);
    out.push((m[1] ?? m[2]!).replace(/\\(.)/g, '$1'));
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return out;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
