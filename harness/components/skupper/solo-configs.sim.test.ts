// The deck's router configs (conf/router/solo0.json and solo1.json: the entities of the deck's
// chapter 4 slides, with the attributes knetsim's generated configs carry), run unchanged by
// the router this run uses (KNETSIM_ROUTER: the built-in one, or skrouterd), in a namespace of
// their own: their fixed ports touch nothing of the host's. KNETSIM_SOLO_DIR=DIR runs the
// same test on another folder's solo0/solo1.json, e.g. a checkout of IBM/k8s-netsim's conf/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient } from '../../router/management/client.ts';
import { Daemon } from '../../sys/daemon.ts';
import { run } from '../../sys/exec.ts';
import { Ledger } from '../../sys/ledger.ts';
import { createNetns, deleteNetns } from '../../sys/netns.ts';
import { processStartTime } from '../../sys/proc.ts';
import { netnsName, newRunId, runDirOf } from '../../sys/run-dir.ts';
import { nodeTsArgv } from '../../sys/node-script.ts';
import { notYet, ready, waitFor } from '../../sys/wait.ts';
import { waitTcpListening } from '../../sys/wait-listening.ts';
import { ManagementBridge } from './management-bridge.ts';
import { routerKind, skrouterdOnPath } from './router-kind.ts';

const SOLO_DIR = process.env.KNETSIM_SOLO_DIR ?? fileURLToPath(new URL('../../../conf/router/', import.meta.url));
const conf = (f: string) => join(SOLO_DIR, f);
const ROUTER_MAIN = fileURLToPath(new URL('../../router/main.ts', import.meta.url));

const kind = routerKind();
const runId = newRunId();
const runDir = runDirOf(runId);
const ns = netnsName(runId, 'solo');
const daemons: Daemon[] = [];
const bridges: ManagementBridge[] = [];
const clients: ManagementClient[] = [];
let ledger: Ledger;

function start(name: string, argv: string[]): Daemon {
  const d = Daemon.start(ledger, { name, netns: ns, logFile: join(runDir, `${name}.log`), argv });
  daemons.push(d);
  return d;
}

function routerArgv(file: string): string[] {
  return kind === 'skrouterd' ? [skrouterdOnPath()!, '-c', file] : nodeTsArgv(ROUTER_MAIN, ['-c', file]);
}

async function management(name: string, port: number): Promise<ManagementClient> {
  bridges.push(await ManagementBridge.start(ledger, { name, netns: ns, socket: join(runDir, `${name}.sock`), port, logFile: join(runDir, `${name}.bridge.out`) }));
  const socket = bridges.at(-1)!.socket;
  const m = await waitFor(`${name} to answer management`, async () => ready(await ManagementClient.connect({ path: socket, target: name }, 2_000)), { timeoutMs: 20_000, intervalMs: 50 });
  clients.push(m);
  return m;
}

describe(`knetsim's solo0.json and solo1.json (${SOLO_DIR}), unchanged, on ${kind}`, () => {
  beforeAll(async () => {
    ledger = Ledger.create(runDir, { runId, createdAt: new Date().toISOString(), ownerPid: process.pid, ownerStartTime: processStartTime(process.pid) ?? '?', detached: false, topology: 'solo-configs' });
    await createNetns(ledger, [ns]);
    // solo1's tcpConnector serves backend:8080 from localhost:8090.
    const www = join(runDir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello from behind c1\n');
    const web = start('backend', ['python3', '-m', 'http.server', '8090', '--bind', '127.0.0.1', '--directory', www]);
    await waitTcpListening(ns, 8090, { what: 'the backend', daemon: web });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([...bridges.map((b) => b.stop()), ...daemons.map((d) => d.stop())]);
    await deleteNetns([ns]);
    rmSync(runDir, { recursive: true, force: true });
  });

  it('c1 links to c0; c0 opens its tcpListener for backend:8080 and carries an HTTP GET to the backend', async () => {
    const c0 = start('router-c0', routerArgv(conf('solo0.json')));
    await waitTcpListening(ns, 55671, { what: "c0's inter-router listener", daemon: c0 });
    start('router-c1', routerArgv(conf('solo1.json')));
    const m0 = await management('c0', 5672);
    const m1 = await management('c1', 5673);

    const logs = () => daemons.map((d) => `--- ${d.spec.name}\n${d.logTail(15)}`).join('\n');
    await waitFor("c0's tcpListener backend:8080 up", async () => {
      const l = await m0.read('tcpListener', 'backend:8080');
      return l['operStatus'] === 'up' ? ready(l) : notYet(JSON.stringify(l));
    }, { timeoutMs: 20_000, intervalMs: 50 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs()}`);
    });
    expect((await m0.query('router.node', ['id', 'cost'])).find((n) => n['id'] === 'c1')).toEqual({ id: 'c1', cost: 1 });
    expect((await m1.query('router', ['id', 'mode', 'metadata']))[0]).toEqual({ id: 'c1', mode: 'interior', metadata: '{"id":"c1","version":"1.0.2"}' });
    expect(await m1.query('connector', ['name', 'connectionStatus'])).toEqual([{ name: 'link1', connectionStatus: 'SUCCESS' }]);
    expect((await m0.query('listener', ['name', 'role', 'port'])).map((l) => l['name']).sort()).toEqual(['@9090', 'amqp', 'edge-listener', 'interior-listener']);

    const r = await run(['socat', '-t', '3', '-T', '5', '-', 'TCP:127.0.0.1:1028'], { netns: ns, input: 'GET / HTTP/1.0\r\nHost: backend\r\n\r\n', timeoutMs: 10_000 });
    expect(r.stdout).toMatch(/^HTTP\/1\.0 200 OK/);
    expect(r.stdout).toMatch(/hello from behind c1\n$/);

    // What c0 does with solo0's listener attribute httpRootDir: skrouterd implements it; the
    // built-in router accepts it and says so in one warning line.
    const out = daemons.find((d) => d.spec.name === 'router-c0')!.logTail(400);
    const warnings = out.split('\n').filter((l) => l.includes('"not-implemented"'));
    expect(warnings.map((w) => (JSON.parse(w) as { attributes: string[] }).attributes)).toEqual(kind === 'builtin' ? [['listener[4] "@9090".httpRootDir']] : []);
  }, 60_000);

});
