// Chapter 3 of the deck: services. A VIP over pods, programmed by a kube-proxy agent on
// every worker (nftables, kube-proxy's layout), spread, replica deletion and convergence.
import { describe, expect, test } from '../harness/testing/index.ts';
import { ENDPOINTS_PREFIX, SERVICES_PREFIX } from '../harness/components/kube-proxy/store.ts';
import { ValidationError } from '../harness/sys/errors.ts';
import { requestsForPower } from '../harness/model/service-power.ts';
import { Prompt } from '../harness/cli/prompt.ts';

describe('chapter 3: services', () => {
  test("the deck's VIP 100.64.10.1 over c2 and c3 answers pings from c1", async ({ sim }) => {
    const c0 = sim.cluster('C0');
    // C0.kp_vip_add("100.64.10.1", ["c2", "c3"]): port-less, static, jhash ip checksum.
    const vip = await c0.expose('deck-vip', { vip: '100.64.10.1', pods: ['c2', 'c3'], mode: 'static' });
    await expect(c0.pod('c1')).toReach('100.64.10.1', { count: 3 });
    // Every protocol is DNATed: TCP to any port reaches the pods, spread by the IP checksum hash.
    expect(await vip.spread({ port: 8080 })).toBeBalanced();
  });

  test('a TCP service over c2 and c3 spreads evenly (numgen random)', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const web = await c0.expose('web', { vip: '100.64.20.1', port: 80, targetPort: 8080, pods: ['c2', 'c3'] });
    // No n: as many requests as a 99 % chance of catching a 60/40 split needs (service-power.ts).
    const spread = await web.spread({ from: c0.pod('c1') });
    expect(spread.total).toBe(requestsForPower({ endpoints: 2 }));
    expect(spread).toBeBalanced();
  });

  test("a worker's ruleset has kube-proxy's shape: services map, service chain, endpoint chains with DNAT", async ({ sim, annotate }) => {
    const c0 = sim.cluster('C0');
    const svc = await c0.expose('shape', { vip: '100.64.20.2', ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }], pods: ['c2', 'c3'] });
    const { text, ruleset } = await c0.services.ruleset('w1');
    await annotate('nft list table ip knetsim (C0w1)', { body: text, contentType: 'text/plain' });
    for (const chain of ['prerouting', 'output', 'postrouting', 'services', 'nodeports', 'masquerading', 'mark-for-masquerade']) {
      expect(ruleset.hasChain(chain), `chain ${chain}`).toBe(true);
    }
    const parsed = ruleset.services().find((s) => s.vip === svc.vip && s.port === 443);
    expect(parsed).toMatchObject({ protocol: 'tcp', pick: 'random', chain: 'service-shape/tcp/443' });
    expect(parsed!.endpoints).toHaveLength(2);
    expect(parsed!.endpoints.map((e) => `${e.addr}:${e.port}`).sort()).toEqual(
      [c0.pod('c2').ip, c0.pod('c3').ip].map((ip) => `${ip}:8443`).sort(),
    );
    for (const e of parsed!.endpoints) expect(ruleset.hasChain(e.chain)).toBe(true);
  });

  test('static mode (the deck): after deleting a replica about half the requests fail', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [s1, s2] = await Promise.all([c0.createPod('s1', 'w2'), c0.createPod('s2', 'w3')]);
    const svc = await c0.expose('static', { vip: '100.64.30.1', port: 80, targetPort: 8080, pods: [s1, s2], mode: 'static' });
    expect(await svc.spread()).toBeBalanced();
    await s2.delete();
    await svc.converged();
    // The rules still hold s2: requests sent to it go nowhere.
    expect(svc.endpoints.map((e) => e.pod)).toEqual(['s1', 's2']);
    // 160 requests: outside [0.3, 0.7] only 5 standard deviations away (< 1e-6) for a fair coin.
    const after = await svc.spread(160, { concurrency: 40, timeoutMs: 500 });
    expect(after).toFail({ between: [0.3, 0.7] });
    expect(after.counts.s2).toBe(0);
    await s1.delete();
  });

  test('kube-proxy mode: after deleting a replica the rules converge and only the survivor answers', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const [k1, k2] = await Promise.all([c0.createPod('k1', 'w2'), c0.createPod('k2', 'w3')]);
    const svc = await c0.expose('kp', { vip: '100.64.30.2', port: 80, targetPort: 8080, pods: ['k1', 'k2'] });
    expect(await svc.spread()).toBeBalanced();
    await k2.delete();
    await svc.converged();
    expect(svc.endpoints.map((e) => e.pod)).toEqual(['k1']);
    for (const w of c0.listWorkers()) {
      const { ruleset } = await c0.services.ruleset(w);
      const parsed = ruleset.services().find((s) => s.vip === svc.vip)!;
      expect(parsed.endpoints.map((e) => e.addr), w.fullName).toEqual([k1.ip]);
    }
    expect(await svc.spread(100, { concurrency: 10 })).toOnlyHit(['k1']);
    await k1.delete();
  });

  test('a new VIP over three new pods, one on the client\'s own worker', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const pods = await Promise.all([c0.createPod('n1', 'w1'), c0.createPod('n2', 'w2'), c0.createPod('n3', 'w3')]);
    try {
      const svc = await c0.expose('trio', { port: 80, targetPort: 8080, pods });
      expect(svc.vip).toBeInSubnet('100.64.0.0/16');
      expect(await svc.spread({ from: c0.pod('c1') })).toBeBalanced();
    } finally {
      await Promise.all(pods.map((p) => p.delete()));
    }
  });

  test('sessionAffinity ClientIP keeps a client on one endpoint; NodePort reaches the service from another worker', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const sticky = await c0.expose('sticky', { vip: '100.64.40.1', port: 80, targetPort: 8080, pods: ['c2', 'c3'], sessionAffinity: 'ClientIP' });
    const s = await sticky.spread(40, { from: c0.pod('c1') });
    expect(s.failures).toBe(0);
    expect(Object.values(s.counts).filter((c) => c > 0)).toEqual([40]);

    const np = await c0.expose('np', { vip: '100.64.40.2', port: 80, targetPort: 8080, nodePort: 30080, pods: ['c2', 'c3'] });
    const viaNode = await np.spread({ from: c0.worker('w3'), viaNode: c0.worker('w1') });
    expect(viaNode.failures).toBe(0);
    expect(viaNode).toBeBalanced();
  });

  test('bad input is rejected naming the field; nothing is stored or programmed', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const cases: [Parameters<typeof c0.expose>[1], string][] = [
      [{ vip: '10.9.9.9', pods: ['c2'] }, 'vip'],
      [{ vip: '100.64.10.1', pods: ['c2'] }, 'vip'], // taken by the deck's VIP
      [{ vip: '100.64.50.1', pods: ['c2', 'nope'] }, 'pods.1'],
      [{ vip: '100.64.50.1', ports: [{ port: 70000 }], pods: ['c2'] }, 'ports.0.port'],
      [{ vip: '100.64.50.1', ports: [{ port: 53, protocol: 'icmp' }], pods: ['c2'] }, 'ports.0.protocol'],
    ];
    for (const [opts, field] of cases) {
      const err = await c0.expose('bad', opts).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toContain(field);
    }
    expect(c0.services.has('bad')).toBe(false);
    const stored = await c0.kv.getAll().prefix(SERVICES_PREFIX).keys();
    expect(stored).not.toContain(`${SERVICES_PREFIX}bad`);
    expect(await c0.kv.get(`${ENDPOINTS_PREFIX}bad`).string()).toBeNull();
    for (const w of c0.listWorkers()) {
      const { ruleset } = await c0.services.ruleset(w);
      expect(ruleset.services().map((s) => s.vip)).not.toContain('100.64.50.1');
      expect([...ruleset.chains.keys()].some((c) => c.includes('-bad'))).toBe(false);
    }
  });

  test('the prompt: py C0.kp_vip_add, services, expose, nft, unexpose', async ({ sim }) => {
    const out: string[] = [];
    const ran: { netns: string; argv: string[] }[] = [];
    const prompt = new Prompt(sim, (t) => out.push(t), async (netns, argv) => (ran.push({ netns, argv }), 0));
    const c0 = sim.cluster('C0');
    await prompt.handle('py C0.kp_vip_add("100.64.60.1", ["c2", "c3"])');
    expect(out.pop()).toMatch(/100\.64\.60\.1 → c2 .*c3 .*static/);
    await expect(c0.pod('c1')).toReach('100.64.60.1');
    await prompt.handle('expose pweb auto C0:c2 C0w3:c3');
    expect(out.pop()).toMatch(/service C0\/pweb: 100\.64\.\d+\.\d+ → c2/);
    await prompt.handle('services');
    const listing = out.pop()!;
    expect(listing).toMatch(/C0\/vip-100-64-60-1\s+100\.64\.60\.1\s+all\s+static/);
    expect(listing).toMatch(/C0\/pweb/);
    await prompt.handle('nft C0w1');
    expect(ran.pop()).toEqual({ netns: c0.worker('w1').netns, argv: ['nft', 'list', 'ruleset'] });
    await prompt.handle('unexpose C0/pweb');
    expect(out.pop()).toBe('removed service C0/pweb');
    expect(c0.services.has('pweb')).toBe(false);
  });

  test('ingress: the real nginx on C0w1 routes /svc1 and /svc2 to the right backends', async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const svc1 = await c0.expose('svc1', { port: 80, targetPort: 8090, pods: ['c2'] });
    const svc2 = await c0.expose('svc2', { port: 80, targetPort: 8090, pods: ['c3'] });
    await Promise.all([svc1.startBackends('http'), svc2.startBackends('http')]);
    const ingress = await c0.services.ingress('web', {
      port: 8081,
      routes: [
        { path: '/svc1', service: 'svc1' },
        { path: '/svc2', service: 'svc2' },
      ],
    });
    const from = c0.pod('c1');
    expect(await ingress.get('/svc1', { from })).toEqual({ status: 200, body: 'c2 /\n' });
    expect(await ingress.get('/svc2/hello', { from })).toEqual({ status: 200, body: 'c3 /hello\n' });
    expect((await ingress.get('/elsewhere', { from })).status).toBe(404);
    const bad = await c0.services.ingress('bad', { port: 8082, routes: [{ path: '/x', service: 'missing' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues.map((i) => i.path)).toEqual(['routes.0.service']);
  });
});
