// The router's management agent, through the management client over real AMQP connections.
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from '../router.ts';
import { echoServer, freePort, interListener, LANE_COUNTS, LOOPBACK, roundTrip, routerConfig, waitFor, type Entity } from '../test-support.ts';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { ManagementClient } from './client.ts';
import { ManagementError } from './protocol.ts';

const amqp = (port: number): Entity => ['listener', { name: 'amqp', host: LOOPBACK, port, role: 'normal' }];

/** Resolves true when something accepts TCP on `port`, false on ECONNREFUSED. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: LOOPBACK, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe.each(LANE_COUNTS)('management: two routers with %i lane(s) each, changed at run time', (lanes) => {
  let a: RouterHandle;
  let b: RouterHandle;
  let ma: ManagementClient;
  let mb: ManagementClient;
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let inter: number;
  let webPort: number;

  beforeAll(async () => {
    echo = await echoServer();
    inter = await freePort();
    webPort = await freePort();
    a = await startRouter(routerConfig('A', [amqp(0), interListener(inter)], 'interior', lanes));
    b = await startRouter(routerConfig('B', [amqp(0), ['tcpListener', { name: 'web', host: LOOPBACK, port: webPort, address: 'web:80' }]], 'interior', lanes));
    ma = await ManagementClient.connect({ host: LOOPBACK, port: a.port('amqp'), target: 'router A' });
    mb = await ManagementClient.connect({ host: LOOPBACK, port: b.port('amqp'), target: 'router B' });
  });

  afterAll(async () => {
    await ma?.close();
    await mb?.close();
    await b?.close();
    await a?.close();
    await echo?.close();
  });

  it('QUERY answers skrouterd attribute names for the router and its listeners', async () => {
    expect(await ma.query('router', ['id', 'mode', 'workerThreads'])).toEqual([{ id: 'A', mode: 'interior', workerThreads: lanes }]);
    // Links: only this client's two (its requests and their replies); no peer, so no data links.
    expect(await ma.query('routerMetrics', ['id', 'nodeCount', 'linkCount'])).toEqual([{ id: 'A', nodeCount: 0, linkCount: 2 }]);
    const listeners = await ma.query('listener', ['name', 'role', 'port']);
    expect(listeners).toContainEqual({ name: 'inter', role: 'inter-router', port: String(inter) });
    expect(listeners).toContainEqual({ name: 'amqp', role: 'normal', port: '0' });
    // Long type names work as well, and the client's own connection is listed.
    const conns = await ma.query('io.skupper.router.connection', ['role', 'dir', 'operStatus']);
    expect(conns).toContainEqual({ role: 'normal', dir: 'in', operStatus: 'up' });
  });

  it('a tcpListener is down and not listening until its address is reachable, as in skrouterd', async () => {
    expect(await mb.query('tcpListener', ['name', 'address', 'operStatus', 'port'])).toEqual([{ name: 'web', address: 'web:80', operStatus: 'down', port: String(webPort) }]);
    expect(await accepts(webPort)).toBe(false);
  });

  it('CREATE connector links B to A; router.node shows A as a neighbour', async () => {
    const created = await mb.create('connector', 'to-A', { role: 'inter-router', host: LOOPBACK, port: String(inter), cost: 3 });
    expect(created).toMatchObject({ name: 'to-A', role: 'inter-router', port: String(inter), cost: 3, type: 'io.skupper.router.connector' });
    const nodes = await waitFor('B to reach A', () => mb.query('router.node', ['id', 'nextHop', 'routerLink', 'cost']), (rows) => rows.some((r) => r['id'] === 'A' && r['cost'] === 3));
    expect(nodes.find((r) => r['id'] === 'B')).toMatchObject({ nextHop: '(self)' });
    expect(nodes.find((r) => r['id'] === 'A')).toMatchObject({ nextHop: null, cost: 3 });
    expect(nodes.find((r) => r['id'] === 'A')!['routerLink']).not.toBeNull();
    expect(await mb.query('connector', ['name', 'connectionStatus'])).toEqual([{ name: 'to-A', connectionStatus: 'SUCCESS' }]);
    expect(await ma.query('connection', ['role', 'dir', 'container'])).toContainEqual({ role: 'inter-router', dir: 'in', container: 'B' });
    // Now also the control and message links to B, and the pooled links of the data connections.
    expect((await ma.read('routerMetrics', 'routerMetrics/A'))['linkCount']).toBeGreaterThan(4);
  });

  it('CREATE tcpConnector on A brings B\'s tcpListener up; DELETE takes it down', async () => {
    await ma.create('tcpConnector', 'web@A', { address: 'web:80', host: LOOPBACK, port: String(echo.port) });
    await waitFor('B\'s tcpListener up', () => mb.read('tcpListener', 'web'), (r) => r['operStatus'] === 'up');
    expect(await mb.query('router.address', ['key', 'remoteCount', 'remoteHostRouters'])).toContainEqual({ key: 'Mweb:80', remoteCount: 1, remoteHostRouters: ['A'] });
    expect(await ma.query('router.address', ['key', 'subscriberCount'])).toContainEqual({ key: 'Mweb:80', subscriberCount: 1 });
    const text = 'through a tcpConnector made at run time';
    expect((await roundTrip(webPort, text)).toString()).toBe(text);
    // (A lane in a child process reports its counters every 250 ms.)
    await waitFor('the flow counted', () => mb.read('tcpListener', 'web'), (r) => r['connectionsOpened'] === 1 && r['bytesIn'] === text.length && r['bytesOut'] === text.length);

    await ma.delete('tcpConnector', 'web@A');
    await waitFor('B\'s tcpListener down', () => mb.read('tcpListener', 'web'), (r) => r['operStatus'] === 'down');
    expect(await accepts(webPort)).toBe(false);
    expect(await ma.query('tcpConnector', ['name'])).toEqual([]);
  });

  it('CREATE and DELETE of a tcpListener at run time', async () => {
    await ma.create('tcpConnector', 'echo@A', { address: 'echo', host: LOOPBACK, port: String(echo.port) });
    const port = await freePort();
    await mb.create('tcpListener', 'echo', { address: 'echo', host: LOOPBACK, port });
    await waitFor('echo up on B', () => mb.read('tcpListener', 'echo'), (r) => r['operStatus'] === 'up');
    expect((await roundTrip(port, 'x')).toString()).toBe('x');
    await mb.delete('tcpListener', 'echo');
    expect(await accepts(port)).toBe(false);
    await expect(mb.read('tcpListener', 'echo')).rejects.toThrow(/READ tcpListener "echo" on router B failed: 404 No entity with name=echo/);
  });

  it('DELETE connector unlinks; the routers no longer reach each other', async () => {
    await mb.delete('connector', 'to-A');
    await waitFor('A to lose B', () => ma.query('router.node', ['id', 'cost']), (rows) => !rows.some((r) => r['id'] === 'B' && r['cost'] !== null));
    expect(await mb.query('connector', ['name'])).toEqual([]);
  });

  it('refuses bad requests with skrouterd status codes, naming the field', async () => {
    const status = (p: Promise<unknown>) => p.then(() => 0, (e: ManagementError) => `${e.statusCode} ${e.statusDescription}`);
    expect(await status(mb.query('bridge'))).toBe("400 No such entity type 'io.skupper.router.bridge' (entityType)");
    expect(await status(mb.query('tcpListener', ['colour']))).toMatch(/^404 Unknown attributes \["colour"\] for type io.skupper.router.tcpListener/);
    expect(await status(mb.create('tcpListener', 'bad', { address: 'x', port: 70000 }))).toMatch(/^400 tcpListener "bad"\.port: port must be an integer 0-65535/);
    expect(await status(mb.create('tcpListener', 'bad', { address: 'x', port: 1, colour: 'red' }))).toMatch(/^400 tcpListener "bad"\.colour: unknown attribute/);
    expect(await status(mb.create('tcpListener', 'web', { address: 'x', port: 1 }))).toBe('400 Duplicate tcpListener named "web"');
    expect(await status(mb.create('connector', 'c', { role: 'inter-router', port: 1, sslProfile: 'nope' }))).toMatch(/^400 connector "c"\.sslProfile: no sslProfile named "nope"/);
    expect(await status(mb.create('router.node', 'x', {}))).toMatch(/^501 Operation 'CREATE' not implemented for 'io.skupper.router.router.node'/);
    expect(await status(mb.delete('router', 'router/B'))).toMatch(/^501 Operation 'DELETE' not implemented/);
    expect(await status(mb.delete('listener', 'nope'))).toBe('404 No entity with name=nope of type io.skupper.router.listener');
    expect(await status(mb.update('tcpListener', 'web', { port: '1' }))).toBe("400 Cannot update attribute 'port' in UPDATE");
    expect(await status(mb.update('listener', 'amqp', { idleTimeoutSeconds: 5 }))).toBe("501 Operation 'UPDATE' not implemented for 'io.skupper.router.listener' ['CREATE', 'DELETE', 'READ']");
  });

  it('accepts an attribute skrouterd defines but this router does not implement', async () => {
    await mb.create('tcpListener', 'lazy', { address: 'lazy', port: 0, backlog: 5 });
    expect(await mb.read('tcpListener', 'lazy')).toMatchObject({ name: 'lazy', operStatus: 'down' });
    await mb.delete('tcpListener', 'lazy');
  });

  it('GET-TYPES and GET-ATTRIBUTES describe the implemented types with skrouterd names', async () => {
    const types = await mb.getTypes();
    expect(types['io.skupper.router.tcpListener']).toEqual(['io.skupper.router.configurationEntity', 'io.skupper.router.entity']);
    expect(Object.keys(types)).toContain('io.skupper.router.router.node');
    const attrs = await mb.getAttributes('tcpListener');
    expect(attrs['io.skupper.router.tcpListener']).toContain('operStatus');
  });
});

describe('management UPDATE, as skrouterd answers it', () => {
  it("changes the DEFAULT log's level and file at once, in lane processes too", async () => {
    using tmp = makeTempDir('router-log');
    const file = join(tmp.path, 'router.log');
    const echo = await echoServer();
    const port = await freePort();
    // Two lanes, both child processes: every flow is logged (at debug) by a lane process.
    const r = await startRouter(
      routerConfig('U', [amqp(0), ['tcpConnector', { name: 'echo@U', address: 'echo', host: LOOPBACK, port: echo.port }], ['tcpListener', { name: 'echo', address: 'echo', host: LOOPBACK, port }]], 'interior', 2),
      { laneProcesses: true },
    );
    const m = await ManagementClient.connect({ host: LOOPBACK, port: r.port('amqp'), target: 'router U' });
    try {
      await waitFor('echo up', () => m.read('tcpListener', 'echo'), (x) => x['operStatus'] === 'up');
      expect((await roundTrip(port, 'quiet')).toString()).toBe('quiet');
      expect(existsSync(file)).toBe(false);

      expect(await m.update('log', 'log/DEFAULT', { enable: 'debug+', outputFile: file })).toMatchObject({ name: 'log/DEFAULT', module: 'DEFAULT', enable: 'debug+', outputFile: file });
      expect((await roundTrip(port, 'loud')).toString()).toBe('loud');
      const lines = await waitFor('a lane process to log the flow', async () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), (t) => /"event":"flow-open"/.test(t));
      const flow = lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['event'] === 'flow-open');
      expect(flow).toMatchObject({ level: 'debug', router: 'U', address: 'echo', lane: expect.any(Number) });
      expect(lines).toMatch(/"module":"AGENT","event":"updated"/);

      // An attribute skrouterd lets an UPDATE change but this router does not implement: accepted, with a warning.
      expect(await m.update('tcpListener', 'echo', { observer: 'none' })).toMatchObject({ name: 'echo', operStatus: 'up' });
      await waitFor('the warning', async () => readFileSync(file, 'utf8'), (t) => /"event":"not-implemented".*tcpListener \\"echo\\"\.observer/.test(t));
      await expect(m.update('log', 'log/DEFAULT', { enable: 7 })).rejects.toThrow(/400 log "log\/DEFAULT"\.enable/);

      await m.update('log', 'log/DEFAULT', { enable: 'none' });
      // Lines logged before may reach the file late (its stream buffers them): count flows, not bytes.
      const flowLines = () => readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"event":"flow-open"')).length;
      await new Promise((done) => setTimeout(done, 300));
      const flowsBefore = flowLines();
      expect((await roundTrip(port, 'quiet again')).toString()).toBe('quiet again');
      await new Promise((done) => setTimeout(done, 300));
      expect(flowLines()).toBe(flowsBefore);
    } finally {
      await m.close();
      await r.close();
      await echo.close();
    }
  });
});
