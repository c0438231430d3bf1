import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../model/cluster.ts';
import type { Simulation } from '../model/simulation.ts';

/**
 * What knetsim's main.py sets up after the clusters, so the deck's exercises work at the
 * prompt: in each cluster with pods c2 and c3, the static VIP 100.64.10.1 over them
 * (`kp_vip_add`); and, when C0 and C1 exist, a web server in a pod c4 on C0's last worker
 * exposed to C1 through the skupper routers on port 1028 of C1's first worker.
 *
 * The two steps are independent and run side by side (every cluster's kube-proxy agents,
 * the routers and the web server start together); each logs how long it took.
 */
export async function setUpDeckExtras(sim: Simulation, log: (line: string) => void): Promise<void> {
  const timed = async (phase: 'vip' | 'multicluster', fn: () => Promise<string | undefined>) => {
    const start = performance.now();
    const line = await fn();
    if (line !== undefined) log(`*** ${phase} ready in ${Math.round(performance.now() - start)} ms: ${line}`);
  };
  const results = await Promise.allSettled([timed('vip', () => staticVip(sim)), timed('multicluster', () => webServerAcross(sim))]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** kp_vip_add("100.64.10.1", ["c2", "c3"]) in every cluster that has both pods. */
async function staticVip(sim: Simulation): Promise<string | undefined> {
  const clusters = [...sim.clusters.values()].filter((c) => c.hasPod('c2') && c.hasPod('c3'));
  if (!clusters.length) return undefined;
  await Promise.all(clusters.map((c) => c.expose('vip-100-64-10-1', { vip: '100.64.10.1', pods: ['c2', 'c3'], mode: 'static' })));
  return `VIP 100.64.10.1 → c2, c3 (static, as the deck) in ${clusters.map((c) => c.name).join(', ')}`;
}

/**
 * main.py's multi-cluster part: `python3 -m http.server 80` in C0w3:c4, skupper routers on
 * C0w1 and C1w1 linked, svc1 exposed to C1 on port 1028. The routers start while the
 * server does (the router connects to it only when a client comes); link and expose are
 * applied together, so each router starts once.
 */
async function webServerAcross(sim: Simulation): Promise<string | undefined> {
  if (!sim.clusters.has('C0') || !sim.clusters.has('C1')) return undefined;
  const c0: Cluster = sim.cluster('C0');
  const c4 = await c0.listWorkers().at(-1)!.createPod('c4');
  const site = join(sim.runDir, 'www');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), `<h1>hello from ${c4.label}</h1>\n`);
  const http = c4.start('http', ['python3', '-m', 'http.server', '80', '--directory', site]);
  const [, svc] = await Promise.all([
    sim.link('C0', 'C1'),
    c0.exposeAcross({ name: 'svc1', host: c4, port: 80 }, { to: ['C1'], port: 1028 }),
    c4.waitListening(80, { daemon: http }),
  ]);
  const at = sim.multicluster.endpoint(svc, 'C1');
  return `${c4.label} serves http on port 80, reachable from C1 at C1w1:${at.port} (${at.host}:${at.port}): C1w2:c2 wget -qO- C1w1:1028`;
}
