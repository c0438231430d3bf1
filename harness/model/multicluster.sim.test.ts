import { describe, expect, it } from 'vitest';
import { routerKind } from '../components/skupper/router-kind.ts';
import { Simulation } from './simulation.ts';
import { planTopology } from './topology.ts';

const twoClusters = planTopology({
  name: 'mc-apply',
  clusters: [
    { name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w2' }] },
    { name: 'C1', workers: ['w1', 'w2'], pods: [{ name: 'c2', worker: 'w2' }] },
  ],
});

describe('MultiCluster', () => {
  it('applies changes made together at once (each router starts once); a later change reaches the running routers through management, without a restart', async () => {
    const sim = await Simulation.start({ topology: twoClusters });
    try {
      /** How many router processes were spawned per cluster (the ledger has a line for each). */
      const starts = () => ['C0', 'C1'].map((id) => sim.ledger.entries().filter((e) => e.kind === 'process' && e.name === `router ${id} (${routerKind()})`).length);
      const c0 = sim.cluster('C0');
      const server = c0.pod('c1');
      const http = server.start('http', ['python3', '-m', 'http.server', '8080', '--directory', sim.runDir]);
      const [, web] = await Promise.all([
        sim.link('C0', 'C1'),
        c0.exposeAcross({ name: 'web', host: server, port: 8080 }, { to: ['C1'], port: 1028 }),
        server.waitListening(8080, { daemon: http }),
      ]);
      expect(starts()).toEqual([1, 1]);
      const at = sim.multicluster.endpoint(web, 'C1');
      const page = await sim.cluster('C1').pod('c2').exec(['wget', '-q', '-T', '10', '-O', '-', `http://${at.host}:${at.port}/ledger.jsonl`]);
      expect(page.stdout).toContain('"kind":"netns"');

      const web2 = await c0.exposeAcross({ name: 'web2', host: server, port: 8080 }, { to: ['C1'], port: 1029 });
      expect(starts()).toEqual([1, 1]);
      const at2 = sim.multicluster.endpoint(web2, 'C1');
      const page2 = await sim.cluster('C1').pod('c2').exec(['wget', '-q', '-T', '10', '-O', '-', `http://${at2.host}:${at2.port}/ledger.jsonl`]);
      expect(page2.stdout).toContain('"kind":"netns"');
    } finally {
      await sim.stop();
    }
  });
});
