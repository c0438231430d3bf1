// One management protocol for both routers, checked against the real skupper-router: our
// management client drives skrouterd, and skupper-router's own skmanage drives our router.
// Runs in the scenarios-skrouterd project only (skrouterd and skmanage on PATH; skmanage
// needs Proton's Python binding on PYTHONPATH). Loopback listeners only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient } from '../../router/management/client.ts';
import { ManagementError } from '../../router/management/protocol.ts';
import { startRouter, type RouterHandle } from '../../router/router.ts';
import { echoServer, freePort, LOOPBACK, roundTrip, waitFor } from '../../router/test-support.ts';
import { Daemon } from '../../sys/daemon.ts';
import { MissingDependencyError } from '../../sys/errors.ts';
import { run } from '../../sys/exec.ts';
import { Ledger } from '../../sys/ledger.ts';
import { skrouterdOnPath, SKROUTERD_FIX } from './router-kind.ts';

const dir = mkdtempSync(join(tmpdir(), 'knetsim-interop-'));
const ledger = Ledger.create(dir, { runId: 'interop', createdAt: '', ownerPid: process.pid, ownerStartTime: '?', detached: false, topology: 'none' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('our management client drives skrouterd', () => {
  let skrouterd: Daemon;
  let m: ManagementClient;
  let echo: Awaited<ReturnType<typeof echoServer>>;

  beforeAll(async () => {
    const bin = skrouterdOnPath();
    if (!bin) throw new MissingDependencyError('skrouterd', SKROUTERD_FIX);
    echo = await echoServer();
    const amqp = await freePort();
    const file = join(dir, 'skr.json');
    writeFileSync(file, JSON.stringify([
      ['router', { id: 'S', mode: 'interior' }],
      ['listener', { name: 'amqp', host: LOOPBACK, port: amqp }],
      ['tcpConnector', { name: 'echo@S', host: LOOPBACK, port: String(echo.port), address: 'echo' }],
    ]));
    skrouterd = Daemon.start(ledger, { name: 'skrouterd S', argv: [bin, '-c', file], logFile: join(dir, 'skr.log') });
    m = await waitFor('skrouterd to answer management', () => ManagementClient.connect({ host: LOOPBACK, port: amqp, target: 'skrouterd S' }, 2_000), () => true, 15_000);
  }, 30_000);

  afterAll(async () => {
    await m?.close();
    await skrouterd?.stop();
    await echo?.close();
  });

  it('QUERY, CREATE, READ and DELETE, with skrouterd answering as our router does', async () => {
    expect(await m.query('router', ['id', 'mode'])).toEqual([{ id: 'S', mode: 'interior' }]);
    expect(await m.query('tcpConnector', ['name', 'address', 'port'])).toEqual([{ name: 'echo@S', address: 'echo', port: String(echo.port) }]);
    const port = await freePort();
    const created = await m.create('tcpListener', 'echo', { address: 'echo', host: LOOPBACK, port: String(port) });
    expect(created).toMatchObject({ name: 'echo', type: 'io.skupper.router.tcpListener', port: String(port) });
    await waitFor('the tcpListener up', () => m.read('tcpListener', 'echo'), (l) => l['operStatus'] === 'up');
    expect((await roundTrip(port, 'through skrouterd')).toString()).toBe('through skrouterd');
    await m.delete('tcpListener', 'echo');
    const err = await m.read('tcpListener', 'echo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagementError);
    expect((err as ManagementError).statusCode).toBe(404);
    expect((err as Error).message).toMatch(/^READ tcpListener "echo" on skrouterd S failed: 404 /);
  });

  it('UPDATE: the answers our router gives (harness/router/management/management.test.ts)', async () => {
    expect(await m.update('log', 'log/DEFAULT', { enable: 'debug+' })).toMatchObject({ name: 'log/DEFAULT', module: 'DEFAULT', enable: 'debug+' });
    const status = (p: Promise<unknown>) => p.then(() => 0, (e: ManagementError) => `${e.statusCode} ${e.statusDescription}`);
    const port = await freePort();
    await m.create('tcpListener', 'fixed', { address: 'echo', host: LOOPBACK, port: String(port) });
    expect(await status(m.update('tcpListener', 'fixed', { port: '1' }))).toBe("400 Cannot update attribute 'port' in UPDATE");
    expect(await status(m.update('listener', 'amqp', { idleTimeoutSeconds: 5 }))).toBe("501 Operation 'UPDATE' not implemented for 'io.skupper.router.listener' ['CREATE', 'DELETE', 'READ']");
    await m.delete('tcpListener', 'fixed');
  });
});

describe("skupper-router's skmanage drives our router", () => {
  let h: RouterHandle;
  let bus: string;

  beforeAll(async () => {
    h = await startRouter([['router', { id: 'K', mode: 'interior' }], ['log', { module: 'DEFAULT', enable: 'none' }], ['listener', { name: 'amqp', host: LOOPBACK, port: 0 }],
      ['tcpConnector', { name: 'svc@K', host: LOOPBACK, port: 9, address: 'svc' }]]);
    bus = `amqp://${LOOPBACK}:${h.port('amqp')}`;
  });

  afterAll(async () => {
    await h?.close();
  });

  const skmanage = async (...args: string[]) => JSON.parse((await run(['skmanage', '--bus', bus, ...args], { timeoutMs: 20_000 })).stdout) as unknown;

  it('query, create and delete answer with skrouterd types and attribute names', async () => {
    expect(await skmanage('query', '--type', 'router', 'id', 'mode')).toEqual([{ id: 'K', mode: 'interior' }]);
    expect(await skmanage('create', '--type', 'tcpListener', 'name=svc', 'address=svc', `host=${LOOPBACK}`, 'port=0')).toMatchObject({
      type: 'io.skupper.router.tcpListener', name: 'svc', address: 'svc',
    });
    expect(await skmanage('query', '--type', 'tcpListener', 'name', 'operStatus')).toEqual([{ name: 'svc', operStatus: 'up' }]);
    await run(['skmanage', '--bus', bus, 'delete', '--type', 'tcpListener', '--name', 'svc'], { timeoutMs: 20_000 });
    expect(await skmanage('query', '--type', 'tcpListener', 'name')).toEqual([]);
  });

  it('update changes the log as on skrouterd', async () => {
    expect(await skmanage('update', '--type', 'log', '--name', 'log/DEFAULT', 'enable=debug+')).toMatchObject({ name: 'log/DEFAULT', enable: 'debug+' });
    expect(await skmanage('read', '--type', 'log', '--name', 'log/DEFAULT')).toMatchObject({ enable: 'debug+' });
    expect(await skmanage('update', '--type', 'log', '--name', 'log/DEFAULT', 'enable=none')).toMatchObject({ enable: 'none' });
  });
});
