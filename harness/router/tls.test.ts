import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../sys/temp-dir.ts';
import { ManagementClient } from './management/client.ts';
import { startRouter, type RouterHandle } from './router.ts';
import { echoServer, freePort, interConnector, interListener, LANE_COUNTS, LOOPBACK, makePki, roundTrip, waitFor, waitLinks, type Entity } from './test-support.ts';

let tmp: TempDir | undefined;
let good: Awaited<ReturnType<typeof makePki>>;
let rogue: Awaited<ReturnType<typeof makePki>>;
const started: RouterHandle[] = [];
const quiet: Entity = ['log', { module: 'DEFAULT', enable: 'none' }];
const profile = (name: string, pki: Awaited<ReturnType<typeof makePki>>, leaf: string): Entity => [
  'sslProfile', { name, certFile: pki[leaf]!.cert, privateKeyFile: pki[leaf]!.key, caCertFile: pki.ca },
];

beforeAll(async () => {
  tmp = makeTempDir('router-tls');
  good = await makePki(tmp.path, 'site-ca', ['a', 'b']);
  rogue = await makePki(tmp.path, 'rogue-ca', ['c']);
}, 30_000);

afterAll(async () => {
  await Promise.all(started.map((h) => h.close()));
  tmp?.remove();
});

// With two lanes the data connections of the second lane (in a child process) use the same TLS.
it.each(LANE_COUNTS)('brings a link up over mutual TLS and carries TCP over it (%i lane(s)); refuses a peer from another CA', async (lanes) => {
  const echo = await echoServer();
  const p = await freePort();
  const a = await startRouter([['router', { id: 'A', mode: 'interior', workerThreads: lanes }], quiet, profile('tls', good, 'a'),
    interListener(p, { sslProfile: 'tls', authenticatePeer: true, name: 'inter' }),
    ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
  started.push(a);
  const b = await startRouter([['router', { id: 'B', mode: 'interior', workerThreads: lanes }], quiet, profile('tls', good, 'b'),
    interConnector('toA', p, 1, { sslProfile: 'tls' }),
    ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]);
  started.push(b);
  await waitLinks(b, ['A']);
  await waitFor('echo reachable', () => b.state().addresses, (l) => l.some((x) => x.address === 'echo'));
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(b.port('e'), `secret ${i}`)));
  expect(replies.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => `secret ${i}`));

  const c = await startRouter([['router', { id: 'C', mode: 'interior' }], quiet, profile('tls', rogue, 'c'),
    interConnector('toA', p, 1, { sslProfile: 'tls' })]);
  started.push(c);
  const st = await waitFor('C to fail its TLS handshake twice', () => c.state().connectors[0]!, (s) => s.attempts >= 2 && s.lastError !== undefined);
  expect(st.state).not.toBe('up');
  expect(st.lastError).toMatch(/certificate|self.signed|unknown ca|alert/i);
  expect(a.state().links.map((l) => l.peer)).toEqual(['B']);
  // The lanes' data ports speak TLS and want a certificate from the site CA too.
  for (const port of a.router.tcp.lanes.portsFor('inter')!) {
    const attempt = (leaf: { cert: string; key: string }) => new Promise<string>((resolve) => {
      const s = tls.connect({ host: LOOPBACK, port, cert: readFileSync(leaf.cert), key: readFileSync(leaf.key), ca: readFileSync(good.ca), rejectUnauthorized: false });
      s.on('secureConnect', () => s.write(Buffer.from('AMQP\x00\x01\x00\x00', 'latin1')));
      s.on('data', () => {
        s.destroy();
        resolve('answered');
      });
      s.on('error', (e) => resolve(e.message));
      s.on('close', () => resolve('closed'));
    });
    expect(await attempt(good['b']!)).toBe('answered');
    expect(await attempt(rogue['c']!)).not.toBe('answered');
  }
  await echo.close();
  await Promise.all(started.splice(0).map((h) => h.close()));
});

// Everything made at run time through management: every lane opens a TLS data listener beside
// the new listener, and dials with the sslProfile the new connector names.
it.each(LANE_COUNTS)('links over mutual TLS set up at run time through management (%i lane(s))', async (lanes) => {
  const echo = await echoServer();
  const p = await freePort();
  const amqp: Entity = ['listener', { name: 'amqp', host: LOOPBACK, port: 0, role: 'normal' }];
  const a = await startRouter([['router', { id: 'A', mode: 'interior', workerThreads: lanes }], quiet, amqp,
    ['tcpConnector', { name: 'e', host: LOOPBACK, port: echo.port, address: 'echo' }]]);
  started.push(a);
  const b = await startRouter([['router', { id: 'B', mode: 'interior', workerThreads: lanes }], quiet, amqp,
    ['tcpListener', { name: 'e', host: LOOPBACK, port: 0, address: 'echo' }]]);
  started.push(b);
  const ma = await ManagementClient.connect({ host: LOOPBACK, port: a.port('amqp'), target: 'router A' });
  const mb = await ManagementClient.connect({ host: LOOPBACK, port: b.port('amqp'), target: 'router B' });
  try {
    const files = (leaf: string) => ({ certFile: good[leaf]!.cert, privateKeyFile: good[leaf]!.key, caCertFile: good.ca });
    await ma.create('sslProfile', 'tls', files('a'));
    await ma.create('listener', 'inter', { role: 'inter-router', host: LOOPBACK, port: p, sslProfile: 'tls', authenticatePeer: true, saslMechanisms: 'EXTERNAL' });
    await mb.create('sslProfile', 'tls', files('b'));
    await mb.create('connector', 'toA', { role: 'inter-router', host: LOOPBACK, port: p, sslProfile: 'tls' });
    await waitFor("A a neighbour of B's", () => mb.query('router.node', ['id', 'routerLink']), (rows) => rows.some((r) => r['id'] === 'A' && r['routerLink'] !== null), 15_000);
    expect(b.state().lanes.map((l) => l.peers)).toEqual(Array.from({ length: lanes }, () => ['A']));
    expect((await mb.query('connection', ['role', 'dir', 'isEncrypted'])).filter((c) => c['role'] === 'inter-router')).toEqual([{ role: 'inter-router', dir: 'out', isEncrypted: true }]);
    await waitFor("B's tcpListener up", () => mb.read('tcpListener', 'e'), (r) => r['operStatus'] === 'up');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(b.port('e'), `made at run time ${i}`)));
    expect(replies.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => `made at run time ${i}`));
  } finally {
    await ma.close();
    await mb.close();
    await echo.close();
    await Promise.all(started.splice(0).map((h) => h.close()));
  }
});
