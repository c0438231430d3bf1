import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ValidationError } from '../sys/errors.ts';
import { makeTempDir } from '../sys/temp-dir.ts';
import { ListenError } from './listen.ts';
import { startRouter } from './router.ts';
import { LOOPBACK, waitFor } from './test-support.ts';

it('rejects a bad config before listening, naming the field', async () => {
  const err = await startRouter([['router', { id: 'x', mode: 'interior' }], ['tcpListener', { name: 't', port: 1 }]]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).issues).toContainEqual({ path: 'tcpListener[1] "t".address', message: 'required attribute is missing' });
});

it('fails with a ListenError naming the listener when its port is taken, and releases the others', async () => {
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, LOOPBACK, () => r()));
  const taken = (squatter.address() as net.AddressInfo).port;
  const err = await startRouter([['router', { id: 'x', mode: 'interior' }], ['log', { module: 'DEFAULT', enable: 'none' }],
    ['listener', { name: 'h', host: LOOPBACK, port: 0, http: true }],
    ['listener', { name: 'amqp', host: LOOPBACK, port: taken }]]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ListenError);
  expect((err as Error).message).toBe(`listener "amqp": cannot listen on ${LOOPBACK}:${taken}: EADDRINUSE`);
  await new Promise<void>((r) => squatter.close(() => r()));
});

it.each([false, true])('keeps a tcpListener whose port is taken down, saying why in connectionMsg (the router runs on; 2 lanes, in child processes: %s)', async (laneProcesses) => {
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, LOOPBACK, () => r()));
  const taken = (squatter.address() as net.AddressInfo).port;
  const h = await startRouter([['router', { id: 'x', mode: 'interior' }], ['log', { module: 'DEFAULT', enable: 'none' }],
    ['tcpConnector', { name: 'svc', host: LOOPBACK, port: 1, address: 'svc' }],
    ['tcpListener', { name: 'svc', host: LOOPBACK, port: taken, address: 'svc' }]], { laneProcesses, defaultWorkerThreads: 2 });
  try {
    const row = await waitFor('the bind to fail', () => h.router.tcp.servers[0]!, (s) => s.connectionMsg !== '', 15_000);
    expect(row).toMatchObject({ operStatus: 'down', connectionMsg: `tcpListener "svc": cannot listen on ${LOOPBACK}:${taken}: EADDRINUSE` });
  } finally {
    await h.close();
    await new Promise<void>((r) => squatter.close(() => r()));
  }
});

it("writes structured log lines to the log entity's outputFile", async () => {
  using tmp = makeTempDir('router-log');
  const file = join(tmp.path, 'router.log');
  const h = await startRouter([['router', { id: 'logger', mode: 'standalone' }], ['log', { module: 'DEFAULT', enable: 'info+', outputFile: file }]]);
  await h.close();
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines[0]).toMatchObject({ level: 'info', module: 'ROUTER', event: 'started', router: 'logger' });
  expect(lines.at(-1)).toMatchObject({ event: 'stopped' });
  expect(typeof lines[0]!['ts']).toBe('string');
});
