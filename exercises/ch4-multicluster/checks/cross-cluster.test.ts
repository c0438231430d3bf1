// Exercise check (run by the grader with the student's expose.json beside it): an HTTP server
// on a pod of the serving cluster, the clusters linked through their skupper routers, the
// service exposed as the student wrote it; a TCP flow from a pod of each consuming cluster
// to its router's listener must reach the server and bring its page back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'knetsim/testing';

const spec = JSON.parse(readFileSync(new URL('./expose.json', import.meta.url), 'utf8')) as { name: string; port: number; from: string; to: string[]; listenPort: number };

describe('the student cross-cluster service', () => {
  test('a client in each consuming cluster reaches the server through the routers', async ({ sim }) => {
    const server = sim.cluster(spec.from).pod('c2');
    const site = mkdtempSync(join(tmpdir(), 'ch4-site-'));
    const body = `<h1>hello from ${server.label}</h1>\n`;
    writeFileSync(join(site, 'index.html'), body);
    server.start('http', ['python3', '-m', 'http.server', String(spec.port), '--directory', site]);
    await server.waitListening(spec.port);
    for (const to of spec.to) await sim.link(spec.from, to);
    const svc = await sim.multicluster.expose(spec.from, { name: spec.name, host: server, port: spec.port }, { to: spec.to, port: spec.listenPort });
    for (const to of spec.to) {
      const { host, port } = sim.multicluster.endpoint(svc, to);
      const page = await sim.cluster(to).pod('c1').exec(['wget', '-q', '-T', '10', '-O', '-', `http://${host}:${port}/`]);
      expect(page.stdout).toBe(body);
    }
  });
});
