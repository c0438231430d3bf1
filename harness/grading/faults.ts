import { z } from 'zod';
import type { Topology } from '../model/topology.ts';
import { UPLINK } from '../components/underlay/fabric.ts';
import { HarnessError } from '../sys/errors.ts';
import { run } from '../sys/exec.ts';
import { netnsName } from '../sys/run-dir.ts';
import { inChildNamespaces } from './sandbox/host-pid.ts';

/**
 * Deliberate breakage for "must fail" checks. The child always builds the correct
 * simulation; once it is up, the grader applies these from outside (in the child's
 * namespaces, as the child's own root, from a process the child cannot see), then lets the
 * tests run. Nothing the child can read names them.
 */
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,14}$/, 'must be a name such as C0w2, C0 or c3');
export const FaultSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Cut a worker off the underlay: its port on the cluster switch goes down. */
      kind: z.literal('link-down'),
      worker: name,
    })
    .strict(),
  z
    .object({
      /**
       * Every worker's VXLAN packets carry this VNI on the wire (rewritten on its uplink as
       * they leave, and back as they arrive), so pods still talk, as if flannel ran this VNI.
       */
      kind: z.literal('wire-vni'),
      vni: z.number().int().min(1).max(16_777_215),
    })
    .strict(),
  z
    .object({
      /** Removes a pod from every service's endpoints in kube-proxy's rules on every worker of its cluster, behind kube-proxy's back. */
      kind: z.literal('drop-endpoint'),
      cluster: name,
      pod: name,
    })
    .strict(),
]);
export const FaultsSchema = z.array(FaultSchema).max(8);
export type Fault = z.infer<typeof FaultSchema>;

/** Checks a check's faults against the topology it runs (names that exist), before anything runs. */
export function faultIssues(faults: readonly Fault[], topology: Topology): string[] {
  const workers = new Set(topology.clusters.flatMap((c) => c.workers.map((w) => w.fullName)));
  return faults.flatMap((f, i) => {
    if (f.kind === 'link-down' && !workers.has(f.worker)) return [`faults.${i}.worker: no worker "${f.worker}" in the topology (${[...workers].join(', ')})`];
    if (f.kind === 'drop-endpoint') {
      const c = topology.clusters.find((x) => x.name === f.cluster);
      if (!c) return [`faults.${i}.cluster: no cluster "${f.cluster}" in the topology`];
      if (!c.pods.some((p) => p.name === f.pod)) return [`faults.${i}.pod: no pod "${f.pod}" in cluster ${f.cluster}`];
    }
    return [];
  });
}

/** Runs a command in one of the child's network namespaces; returns its stdout. */
export type NetnsExec = (netns: string, argv: readonly string[], input?: string) => Promise<string>;

/** A NetnsExec that enters the sandboxed child's namespaces (see inChildNamespaces). */
export function childNetnsExec(childPid: number): NetnsExec {
  return async (netns, argv, input) => {
    const r = await run(inChildNamespaces(childPid, ['ip', 'netns', 'exec', netns, ...argv]), { input, timeoutMs: 20_000 });
    return r.stdout;
  };
}

const NFT_TABLE = 'knetsim_wire';

/** The nft table that rewrites VXLAN's VNI on a worker's uplink: `vni` on the wire, `real` inside. */
export function wireVniRuleset(port: number, real: number, vni: number): string {
  return [
    `table ip ${NFT_TABLE} {`,
    '  chain egress {',
    '    type filter hook postrouting priority 0; policy accept;',
    `    oifname "${UPLINK}" udp dport ${port} @th,96,24 ${real} @th,96,24 set ${vni}`,
    '  }',
    '  chain ingress {',
    '    type filter hook prerouting priority -300; policy accept;',
    `    iifname "${UPLINK}" udp dport ${port} @th,96,24 ${vni} @th,96,24 set ${real}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

const CHAIN = /^[\w./-]+$/;
/**
 * The nft commands that take the endpoint chains ending in `__<ip>` (or `__<ip>/<port>`) out of
 * every service chain's pick in `nft -a list table ip knetsim` output: the vmap is rebuilt
 * without them (a service left with none rejects), and affinity jumps to them are deleted.
 */
export function dropEndpointScript(listing: string, ip: string): string {
  const out: string[] = [];
  let chain: string | undefined;
  const isDropped = (ep: string) => ep.endsWith(`__${ip}`) || ep.includes(`__${ip}/`);
  for (const line of listing.split('\n')) {
    const c = /^\s*chain (\S+) \{/.exec(line);
    if (c) {
      chain = CHAIN.test(c[1]!) ? c[1] : undefined;
      continue;
    }
    if (!chain?.startsWith('service-')) continue;
    const pick = /^\s*(.+?) mod (\d+) vmap \{ (.+) \} # handle (\d+)\s*$/.exec(line);
    if (pick) {
      const targets = pick[3]!.split(',').map((e) => /goto (\S+)/.exec(e)?.[1] ?? '');
      if (!targets.some(isDropped)) continue;
      if (targets.some((t) => !CHAIN.test(t))) throw new HarnessError(`unexpected endpoint chain names in ${chain}: ${pick[3]}`);
      const kept = targets.filter((t) => !isDropped(t));
      out.push(
        kept.length
          ? `replace rule ip knetsim ${chain} handle ${pick[4]} ${pick[1]} mod ${kept.length} vmap { ${kept.map((t, i) => `${i} : goto ${t}`).join(', ')} }`
          : `replace rule ip knetsim ${chain} handle ${pick[4]} reject`,
      );
      continue;
    }
    const affinity = /goto (\S+) # handle (\d+)\s*$/.exec(line);
    if (affinity && /^\s*ip saddr @/.test(line) && isDropped(affinity[1]!)) out.push(`delete rule ip knetsim ${chain} handle ${affinity[2]}`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/**
 * Applies faults to the child's simulation `runId` (built from `topology`), from outside.
 * Throws a HarnessError saying which fault could not be applied and why.
 */
export async function applyFaults(faults: readonly Fault[], runId: string, topology: Topology, exec: NetnsExec): Promise<void> {
  for (const f of faults) {
    try {
      await applyFault(f, runId, topology, exec);
    } catch (e) {
      throw new HarnessError(`could not apply fault ${JSON.stringify(f)}: ${(e as Error).message}`, { cause: e });
    }
  }
}

async function applyFault(f: Fault, runId: string, topology: Topology, exec: NetnsExec): Promise<void> {
  switch (f.kind) {
    case 'link-down':
      await exec(netnsName(runId, 'ul'), ['ip', 'link', 'set', f.worker, 'down']);
      return;
    case 'wire-vni':
      for (const c of topology.clusters) {
        const backend = c.flannel.Backend;
        if (backend.Type !== 'vxlan') throw new HarnessError(`cluster ${c.name} does not run VXLAN (${backend.Type})`);
        for (const w of c.workers) await exec(netnsName(runId, w.fullName), ['nft', '-f', '-'], wireVniRuleset(backend.Port, backend.VNI, f.vni));
      }
      return;
    case 'drop-endpoint': {
      const c = topology.clusters.find((x) => x.name === f.cluster);
      const pod = c?.pods.find((p) => p.name === f.pod);
      if (!c || !pod) throw new HarnessError(`no pod ${f.pod} in cluster ${f.cluster}`);
      const addr = JSON.parse(await exec(netnsName(runId, `${c.name}${pod.worker}`, pod.name), ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth0'])) as { addr_info?: { local?: string }[] }[];
      const ip = addr[0]?.addr_info?.[0]?.local;
      if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new HarnessError(`pod ${f.pod} has no IPv4 address on eth0`);
      let changed = 0;
      for (const w of c.workers) {
        const ns = netnsName(runId, w.fullName);
        const script = dropEndpointScript(await exec(ns, ['nft', '-a', 'list', 'table', 'ip', 'knetsim']), ip);
        if (script) {
          await exec(ns, ['nft', '-f', '-'], script);
          changed++;
        }
      }
      if (changed === 0) throw new HarnessError(`no service of ${c.name} has ${f.pod} (${ip}) among its endpoints`);
      return;
    }
  }
}
