import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulation } from '../model/simulation.ts';

/**
 * What knetsim's main.py sets up after the clusters, so the deck's exercises work at the
 * prompt: in each cluster with pods c2 and c3, the static VIP 100.64.10.1 over them
 * (`kp_vip_add`); and, when C0 and C1 exist, a web server in a pod c4 on C0's last worker
 * exposed to C1 through the skupper routers on port 1028 of C1's first worker.
 */
export async function setUpDeckExtras(sim: Simulation, log: (line: string) => void): Promise<void> {
  const vipClusters = [...sim.clusters.values()].filter((c) => c.hasPod('c2') && c.hasPod('c3'));
  for (const c of vipClusters) await c.expose('vip-100-64-10-1', { vip: '100.64.10.1', pods: ['c2', 'c3'], mode: 'static' });
  if (vipClusters.length) log(`*** VIP 100.64.10.1 → c2, c3 (static, as the deck) in ${vipClusters.map((c) => c.name).join(', ')}`);

  if (!sim.clusters.has('C0') || !sim.clusters.has('C1')) return;
  const c0 = sim.cluster('C0');
  const worker = c0.listWorkers().at(-1)!;
  const c4 = await worker.createPod('c4');
  const site = join(sim.runDir, 'www');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), `<h1>hello from ${c4.label}</h1>\n`);
  const http = c4.start('http', ['python3', '-m', 'http.server', '80', '--directory', site]);
  await c4.waitListening(80, { daemon: http });
  await sim.link('C0', 'C1');
  const svc = await c0.exposeAcross({ name: 'svc1', host: c4, port: 80 }, { to: ['C1'], port: 1028 });
  const at = sim.multicluster.endpoint(svc, 'C1');
  log(`*** ${c4.label} serves http on port 80, reachable from C1 at C1w1:${at.port} (${at.host}:${at.port}): C1w2:c2 wget -qO- C1w1:1028`);
}
