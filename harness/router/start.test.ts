import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ValidationError } from '../sys/errors.ts';
import { ListenError } from './listen.ts';
import { startRouter } from './router.ts';
import { LOOPBACK } from './test-support.ts';

it('rejects a bad config before listening, naming the field', async () => {
  const err = await startRouter([['router', { id: 'x', mode: 'interior' }], ['tcpListener', { name: 't', port: 1 }]]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).issues).toContainEqual({ path: 'tcpListener[1] "t".address', message: 'required attribute is missing' });
});

it.each([false, true])('fails with a ListenError naming the listener when its port is taken (lanes in child processes: %s)', async (laneProcesses) => {
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, LOOPBACK, () => r()));
  const taken = (squatter.address() as net.AddressInfo).port;
  const err = await startRouter([['router', { id: 'x', mode: 'interior' }], ['log', { module: 'DEFAULT', enable: 'none' }],
    ['listener', { name: 'h', host: LOOPBACK, port: 0, http: true }],
    ['tcpListener', { name: 'svc', host: LOOPBACK, port: taken, address: 'svc' }]], { laneProcesses, defaultWorkerThreads: 2 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ListenError);
  expect((err as Error).message).toBe(`tcpListener "svc": cannot listen on ${LOOPBACK}:${taken}: EADDRINUSE`);
  await new Promise<void>((r) => squatter.close(() => r()));
});

it("writes structured log lines to the log entity's outputFile", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'router-log-'));
  const file = join(dir, 'router.log');
  const h = await startRouter([['router', { id: 'logger', mode: 'standalone' }], ['log', { module: 'DEFAULT', enable: 'info+', outputFile: file }]]);
  await h.close();
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines[0]).toMatchObject({ level: 'info', module: 'ROUTER', event: 'started', router: 'logger' });
  expect(lines.at(-1)).toMatchObject({ event: 'stopped' });
  expect(typeof lines[0]!['ts']).toBe('string');
  await rm(dir, { recursive: true, force: true });
});
