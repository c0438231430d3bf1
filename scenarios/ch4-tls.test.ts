// Multi-cluster links with mutual TLS: certificates made per run, sslProfile on both ends.
import { readFileSync } from 'node:fs';
import { describe, expect, simTest } from '../harness/testing/index.ts';

const test = simTest({
  name: 'tls-link',
  clusters: ['C0', 'C1'].map((name) => ({ name, workers: ['w1', 'w2'], pods: [{ name: 'c1', worker: 'w1' }, { name: 'c2', worker: 'w2' }] })),
});

describe('multi-cluster over mutual TLS', () => {
  test('routers link with per-run certificates and carry a service', async ({ sim }) => {
    const server = sim.cluster('C0').pod('c2');
    server.start('echo', ['socat', 'TCP-LISTEN:7000,fork,reuseaddr', 'EXEC:echo over-tls']);
    await server.waitListening(7000);

    await sim.link('C0', 'C1', { tls: true });
    const svc = await sim.cluster('C0').exposeAcross({ name: 'echo', host: server, port: 7000 }, { to: ['C1'], port: 1028 });
    const { host, port } = sim.multicluster.endpoint(svc, 'C1');
    const r = await sim.cluster('C1').pod('c2').exec(['socat', '-T', '5', '-', `TCP:${host}:${port}`], { input: '' });
    expect(r.stdout.trim()).toBe('over-tls');

    // Both generated configs name the sslProfile on the inter-router listener and connector.
    for (const id of ['C0', 'C1']) {
      const config = JSON.parse(readFileSync(sim.multicluster.router(id).configFile, 'utf8')) as [string, Record<string, unknown>][];
      expect(config).toContainEqual(['sslProfile', expect.objectContaining({ name: 'inter-router-tls' })]);
      expect(config).toContainEqual(['listener', expect.objectContaining({ role: 'inter-router', sslProfile: 'inter-router-tls', authenticatePeer: true, saslMechanisms: 'EXTERNAL' })]);
    }
    // The link itself, as the routers report it: encrypted, the peer authenticated by its certificate.
    const links = (await sim.multicluster.router('C0').query('connection', ['role', 'dir', 'isEncrypted', 'isAuthenticated', 'sasl']))
      .filter((c) => c['role'] === 'inter-router');
    expect(links).toEqual([{ role: 'inter-router', dir: 'in', isEncrypted: true, isAuthenticated: true, sasl: 'EXTERNAL' }]);
    // The link is TLS: a plain AMQP client is refused by C0's inter-router listener.
    const plain = await sim.cluster('C1').worker('w1').exec(['socat', '-T', '2', '-', `TCP:${sim.cluster('C0').worker('w1').ip}:55671`], { input: 'AMQP\x00\x01\x00\x00', reject: false });
    expect(plain.stdout).not.toMatch(/^AMQP/);
    await expect(sim.link('C0', 'C1', { tls: false })).rejects.toThrow(/already linked|tls/);
  });
});
