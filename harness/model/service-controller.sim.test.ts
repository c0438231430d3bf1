import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation.ts';
import { planTopology } from './topology.ts';

const small = planTopology({
  name: 'svc-first',
  clusters: [{ name: 'C0', workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] }],
});

describe('ServiceController', () => {
  it('the first expose of a cluster starts its agents with the service already stored: one nft transaction per worker', async () => {
    const sim = await Simulation.start({ topology: small });
    try {
      const c0 = sim.cluster('C0');
      await c0.expose('web', { vip: '100.64.10.1', pods: ['c1', 'c2'], mode: 'static' });
      for (const agent of c0.services.agentList()) {
        const events = readFileSync(agent.daemon.spec.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; services?: number });
        expect(events.filter((e) => e.event === 'applied'), agent.options.worker).toEqual([expect.objectContaining({ services: 1, full: true })]);
      }
      const ruleset = await c0.services.ruleset('w1');
      expect(ruleset.text).toContain('100.64.10.1');
    } finally {
      await sim.stop();
    }
  });
});
