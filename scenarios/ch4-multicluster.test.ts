// Chapter 4 of the deck: clusters reach each other's services through skupper routers.
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '../harness/testing/index.ts';
import { nodeTsArgv } from '../harness/sys/node-script.ts';
import { makeTempDir } from '../harness/sys/temp-dir.ts';
import { routerKind } from '../harness/components/skupper/router-kind.ts';

const BULK = fileURLToPath(new URL('../harness/components/skupper/bulk-main.ts', import.meta.url));

describe('chapter 4: multi-cluster', () => {
  test("the deck's exercise: wget from a C1 pod to C1w1:1028 returns the page served in C0", async ({ sim }) => {
    const c0 = sim.cluster('C0');
    const c4 = await c0.worker('w3').createPod('c4');
    using site = makeTempDir('site');
    writeFileSync(join(site.path, 'index.html'), `<h1>hello from ${c4.label}</h1>\n`);
    c4.start('http', ['python3', '-m', 'http.server', '80', '--directory', site.path]);
    await c4.waitListening(80);

    await sim.link('C0', 'C1');
    const backend = await c0.exposeAcross({ name: 'backend', host: c4, port: 80 }, { to: ['C1'], port: 1028 });
    const { host, port } = sim.multicluster.endpoint(backend, 'C1');
    expect(host).toBe(sim.cluster('C1').worker('w1').ip);

    const page = await sim.cluster('C1').pod('c2').exec(['wget', '-q', '-T', '10', '-O', '-', `http://${host}:${port}/`]);
    expect(page.stdout).toBe(`<h1>hello from ${c4.label}</h1>\n`);

    // The routers' own state, through AMQP management (skrouterd's entities and names):
    // C1 has C0 as a neighbour (an inter-router link), and listens for backend:80 because C0 serves it.
    const c1 = sim.multicluster.router('C1');
    // The router running is the kind asked for (KNETSIM_ROUTER, or skrouterd found on PATH).
    expect({ kind: c1.kind, skrouterd: c1.daemon.spec.argv.some((a) => a.endsWith('/skrouterd')) }).toEqual({ kind: routerKind(), skrouterd: routerKind() === 'skrouterd' });
    await sim.reporter.attach(`router program: ${c1.kind}`, c1.daemon.spec.argv.join(' '), 'text/plain');
    const c0node = (await c1.query('router.node', ['id', 'nextHop', 'routerLink', 'cost'])).find((n) => n['id'] === 'C0');
    expect(c0node).toMatchObject({ nextHop: null, cost: 1 });
    expect(c0node!['routerLink']).not.toBeNull();
    expect(await c1.read('tcpListener', 'backend:80')).toMatchObject({ address: 'backend:80', port: '1028', operStatus: 'up' });
    expect(await sim.multicluster.router('C0').query('tcpConnector', ['address', 'host', 'port'])).toEqual([{ address: 'backend:80', host: c4.ip, port: '80' }]);
    // Each router's own log and its output are .log files of the run: a failed test carries them.
    for (const id of ['C0', 'C1']) {
      const files = sim.multicluster.router(id).files;
      expect(readFileSync(files.log, 'utf8')).toMatch(id === 'C0' ? /C1/ : /C0/);
      expect(files.out).toMatch(/\.log$/);
    }
  });

  test('a 100 MB transfer arrives intact in both directions', async ({ sim }) => {
    const server = sim.cluster('C0').pod('c3');
    server.start('bulk', nodeTsArgv(BULK, ['serve', '9000']));
    await server.waitListening(9000);
    const bulk = await sim.multicluster.expose('C0', { name: 'bulk', host: server, port: 9000 }, { to: ['C1'], port: 1029 });
    const { host, port } = sim.multicluster.endpoint(bulk, 'C1');
    const client = sim.cluster('C1').pod('c3');
    const n = String(100 * 1024 * 1024);

    const put = JSON.parse((await client.exec(nodeTsArgv(BULK, ['put', host, String(port), n, 'up']), { timeoutMs: 180_000 })).stdout);
    expect(put.remote).toBe(`${n} ${put.sha256}`);
    const get = JSON.parse((await client.exec(nodeTsArgv(BULK, ['get', host, String(port), n, 'down']), { timeoutMs: 180_000 })).stdout);
    expect(get.bytes).toBe(Number(n));
    expect(get.sha256).toBe(get.expected);
    const mbps = (ms: number) => (100 / (ms / 1000)).toFixed(1);
    await sim.reporter.attach(`bulk throughput: C1→C0 ${mbps(put.ms)} MB/s, C0→C1 ${mbps(get.ms)} MB/s`, JSON.stringify({ put, get }, null, 2), 'application/json');
  });

  test('bad links and exposures are rejected naming the field, and change nothing', async ({ sim }) => {
    await expect(sim.link('C0', 'C0')).rejects.toThrow(/b: a cluster cannot link to itself/);
    await expect(sim.link('C0', 'C9')).rejects.toThrow(/b: no cluster "C9"/);
    const pod = sim.cluster('C0').pod('c1');
    await expect(sim.multicluster.expose('C0', { name: 'x', host: pod, port: 80 }, { to: ['C1'], port: 55671 })).rejects.toThrow(/listenPort: is a port the router itself uses/);
    await expect(sim.multicluster.expose('C0', { name: 'Bad Name', host: pod, port: 70000 }, { to: ['C0'], port: 1030 })).rejects.toThrow(
      /name: must be a DNS label[\s\S]*port: Number must be less than or equal to 65535[\s\S]*to\.0: C0 is the serving cluster itself/,
    );
  });
});
