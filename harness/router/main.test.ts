import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../sys/temp-dir.ts';
import { ManagementClient } from './management/client.ts';
import { freePort, httpGet, LOOPBACK, metricValue, processAlive, waitFor } from './test-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'harness/router/main.ts';
const tmp = makeTempDir('router-cli');
const dir = tmp.path;
const children: ChildProcess[] = [];

function run(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<{ code: number | null; ms: number }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let t0 = 0;
  const exit = new Promise<{ code: number | null; ms: number }>((r) => child.once('exit', (code) => r({ code, ms: Date.now() - t0 })));
  const origKill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => ((t0 = Date.now()), origKill(sig));
  return { child, out: () => out, exit };
}

/** The deck config with its ports replaced: by `ports[old]` when given, else 0 (ephemeral). */
async function deckConfig(file: string, ports: Record<string, number>): Promise<string> {
  const doc = JSON.parse(await readFile(join(root, 'conf/router', file), 'utf8')) as [string, Record<string, unknown>][];
  for (const [type, attrs] of doc) {
    if (!('port' in attrs)) continue;
    const old = String(attrs['port']);
    attrs['port'] = ports[old] ?? (type === 'connector' || type === 'tcpConnector' ? attrs['port'] : 0);
    if (attrs['host'] === undefined || attrs['host'] === 'localhost') attrs['host'] = LOOPBACK;
  }
  const path = join(dir, file);
  await writeFile(path, JSON.stringify(doc));
  return path;
}

/** Ports a started router printed on its first stdout line ("router X started name=port ..."). */
async function printedPorts(r: ReturnType<typeof run>): Promise<Record<string, number>> {
  const line = await waitFor('the router to print its ports', () => /router \S+ started (.*)\n/.exec(r.out())?.[1], (l) => l !== undefined, 15_000);
  return Object.fromEntries(line!.split(' ').map((kv) => [kv.slice(0, kv.lastIndexOf('=')), Number(kv.slice(kv.lastIndexOf('=') + 1))]));
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  tmp.remove();
});

it("runs the deck's solo0/solo1 configs as two processes: HTTP GET through the tcpListener, then stops on SIGTERM", async () => {
  const web = http.createServer((_req, res) => res.end('hello from the backend behind c1'));
  await new Promise<void>((r) => web.listen(0, LOOPBACK, () => r()));
  const web8090 = (web.address() as AddressInfo).port;
  // knetsim's configs: c0 consumes backend:8080 on its tcpListener, c1 links to c0 and serves it.
  const port1028 = await freePort();
  const c0 = run(['-c', await deckConfig('solo0.json', { '1028': port1028 }), '--log', join(dir, 'c0.log')]);
  const p0 = await printedPorts(c0);
  const c1 = run(['--config', await deckConfig('solo1.json', { '55671': p0['interior-listener']!, '8090': web8090 }), '--log', join(dir, 'c1.log')]);
  await printedPorts(c1);
  const m0 = await ManagementClient.connect({ host: LOOPBACK, port: p0['amqp']!, target: 'c0' });
  try {
    await waitFor("c0's tcpListener to open (backend:8080 reachable)", () => m0.read('tcpListener', 'backend:8080'), (l) => l['operStatus'] === 'up', 15_000);
    expect((await m0.query('router.node', ['id', 'cost'])).find((n) => n['id'] === 'c1')).toEqual({ id: 'c1', cost: 1 });
  } finally {
    await m0.close();
  }
  const res = await httpGet(port1028, '/');
  expect(res).toEqual({ status: 200, body: 'hello from the backend behind c1' });
  expect((await httpGet(p0['@9090']!, '/healthz')).body).toContain('link c1 up');

  for (const c of [c1, c0]) c.child.kill('SIGTERM');
  for (const c of [c1, c0]) {
    const { code, ms } = await c.exit;
    expect(code, c.out()).toBe(0);
    expect(ms).toBeLessThan(2000);
  }
  const log = (await readFile(join(dir, 'c1.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; router: string });
  expect(log.map((l) => l.event)).toEqual(expect.arrayContaining(['started', 'link-up', 'stopped']));
  expect(log.every((l) => l.router === 'c1')).toBe(true);
  await new Promise<void>((r) => web.close(() => r()));
}, 30_000);

it('exits 1 naming the bad field, before listening', async () => {
  const path = join(dir, 'bad.json');
  await writeFile(path, JSON.stringify([['router', { id: 'x', mode: 'interior' }], ['listener', { name: 'l', port: 99999 }]]));
  const r = run(['--config', path]);
  const { code } = await r.exit;
  expect(code).toBe(1);
  expect(r.out()).toMatch(/listener\[1\] "l"\.port: port must be an integer 0-65535/);
});

it('runs as `knetsim router` and as the knetsim-router bin: --check names what is accepted without being implemented', async () => {
  for (const argv of [['bin/knetsim.js', 'router'], ['bin/knetsim-router.js']]) {
    const child = spawn(process.execPath, [...argv, '--check', '-c', 'conf/router/solo0.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect({ code, out }).toEqual({ code: 0, out: 'config ok: router c0 (accepted, not implemented: listener[4] "@9090".httpRootDir)\n' });
  }
});

it('exits 2 on bad usage', async () => {
  const r = run(['--bogus']);
  expect((await r.exit).code).toBe(2);
  expect(r.out()).toContain('usage:');
});

it('notices a SIGKILLed peer at once and relinks when it comes back', async () => {
  const [inter, h0, h1] = [await freePort(), await freePort(), await freePort()];
  const cfg = async (name: string, doc: unknown) => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(doc));
    return path;
  };
  const f0 = await cfg('k0.json', [['router', { id: 'k0', mode: 'interior' }], ['listener', { name: 'i', host: LOOPBACK, port: inter, role: 'inter-router' }],
    ['listener', { name: 'h', host: LOOPBACK, port: h0, http: true }]]);
  const f1 = await cfg('k1.json', [['router', { id: 'k1', mode: 'interior' }], ['connector', { name: 'up', host: LOOPBACK, port: inter, role: 'inter-router' }],
    ['listener', { name: 'amqp', host: LOOPBACK, port: h1 }]]);
  const k0 = run(['-c', f0]);
  const k1 = run(['-c', f1]);
  const m1 = await waitFor('k1 to answer management', () => ManagementClient.connect({ host: LOOPBACK, port: h1, target: 'k1' }), () => true, 15_000);
  const neighbours = async () => (await m1.query('router.node', ['id', 'routerLink'])).filter((n) => n['routerLink'] !== null).map((n) => n['id']);
  await waitFor('k1 linked to k0', neighbours, (ids) => ids.length === 1, 15_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\n${k0.out()}\n${k1.out()}`);
  });
  k0.child.kill('SIGKILL');
  await k0.exit;
  const t0 = Date.now();
  await waitFor('k1 to see the link down', () => m1.query('router.node', ['id', 'cost']), (rows) => !rows.some((n) => n['id'] === 'k0' && n['cost'] !== null), 5000);
  expect(Date.now() - t0).toBeLessThan(3000);
  const again = run(['-c', f0]);
  await waitFor('k1 relinked to the new k0', () => m1.query('connector', ['name', 'connectionStatus']), (rows) => rows[0]?.['connectionStatus'] === 'SUCCESS', 15_000);
  // A neighbour once every lane has a data connection to it.
  await waitFor('k0 a neighbour of k1 again', neighbours, (ids) => ids.length === 1, 15_000);
  expect(await neighbours()).toEqual(['k0']);
  await m1.close();
  for (const c of [again, k1]) c.child.kill('SIGTERM');
  for (const c of [again, k1]) expect((await c.exit).code).toBe(0);
}, 40_000);

it('takes its lane processes with it when killed by SIGKILL (no orphans)', async () => {
  const r = await runWithLanes('L', 3);
  // main.ts runs every lane in a process of its own: its child processes, each running lane-main.
  const children = childPids(r.child.pid!);
  expect(children).toHaveLength(3);
  for (const pid of children) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/lane-main/);
  const alive = processAlive;
  expect(children.every(alive)).toBe(true);
  r.child.kill('SIGKILL');
  await r.exit;
  await waitFor('the lane processes to exit after their primary', () => children.map(alive), (v) => v.every((x) => !x), 5000);
}, 30_000);

it('runs a single lane (workerThreads 1) in its own process: no child to start', async () => {
  const r = await runWithLanes('O', 1);
  expect(childPids(r.child.pid!)).toEqual([]);
  r.child.kill('SIGTERM');
  expect((await r.exit).code).toBe(0);
}, 30_000);

/**
 * main.ts on a config with `lanes` lanes, an http listener and an inter-router listener
 * (which gives every lane a data listener of its own: a live socket); resolves once every
 * lane is ready, as its /metrics says.
 */
async function runWithLanes(id: string, lanes: number): Promise<ReturnType<typeof run>> {
  const [h, i] = [await freePort(), await freePort()];
  const path = join(dir, `lanes-${id}.json`);
  await writeFile(path, JSON.stringify([['router', { id, mode: 'interior', workerThreads: lanes }],
    ['listener', { name: 'h', host: LOOPBACK, port: h, http: true }], ['listener', { name: 'i', host: LOOPBACK, port: i, role: 'inter-router' }]]));
  const r = run(['-c', path]);
  await waitFor(`${lanes} lane(s) ready`, () => httpGet(h, '/metrics').then((x) => metricValue(x.body, 'skrouter_lanes_ready')), (n) => n === lanes, 15_000);
  return r;
}

/** The child processes of `pid` (from /proc). */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}
