/**
 * Router data-plane benchmark, all on 127.0.0.1, in one interleaved run:
 *   direct TCP to the peer  vs  a pair of our routers  vs  a pair of skrouterd (when on PATH).
 * Per repetition and target: upload and download of --mib MiB (MiB/s), short connections/s
 * sequential (--conns) and with --inflight at a time (--conns-inflight); each short
 * connection connects, sends a small request, reads the reply and closes.
 *
 *   npx tsx bench/router/run.ts [--reps 3] [--mib 200] [--conns 1000] [--conns-inflight 4000]
 *       [--inflight 16] [--worker-threads N] [--ours PATH/main.ts] [--baseline PATH/main.ts] [--no-skrouterd]
 *   --baseline adds another build of our router (say, main's harness/router/main.ts) to the run.
 *   npx tsx bench/router/run.ts --soak 20000 [--soak-inflight 16] [--no-skrouterd]
 *       conn/s per 1,000-connection window and the routers' AMQP link count (flat = no leak)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { skrouterdOnPath } from '../../harness/components/skupper/router-kind.ts';
import { tsxLoader } from '../../harness/sys/node-script.ts';
import { ready, waitFor } from '../../harness/sys/wait.ts';
import { connectionRate, download, shortConnection, upload } from './load.ts';
import { cpuNs, metricSum, startPair, type RouterPair } from './pair.ts';
import { makeTempDir } from '../../harness/sys/temp-dir.ts';
import { loadAverage } from '../machine.ts';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    mib: { type: 'string', default: '200' },
    conns: { type: 'string', default: '1000' },
    'conns-inflight': { type: 'string', default: '4000' },
    inflight: { type: 'string', default: '16' },
    'worker-threads': { type: 'string' },
    ours: { type: 'string' },
    baseline: { type: 'string' },
    'no-skrouterd': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'node-args': { type: 'string' },
    only: { type: 'string' },
    soak: { type: 'string' },
    'soak-inflight': { type: 'string', default: '16' },
  },
});
const REPS = Number(values.reps);
const BYTES = Number(values.mib) * 1024 * 1024;
const CONNS = Number(values.conns);
const CONNS_INFLIGHT = Number(values['conns-inflight']);
const INFLIGHT = Number(values.inflight);
const WORKER_THREADS = values['worker-threads'] ? Number(values['worker-threads']) : undefined;
const OURS = values.ours ?? fileURLToPath(new URL('../../harness/router/main.ts', import.meta.url));
const PEER = fileURLToPath(new URL('./peer.ts', import.meta.url));
/** The harness's inter-router frame settings (harness/components/skupper/site-config.ts). */
const FRAMES = { maxFrameSize: 16384, maxSessionFrames: 640 };
const LINKS_METRIC = 'skrouter_amqp_links';

const f0 = (x: number) => x.toFixed(0);
const pad = (s: string, n: number) => s.padStart(n);

async function startPeer(): Promise<{ child: ChildProcess; port: number }> {
  // Started once per run, so through tsx (not a prebuilt helper of the harness).
  const argv = [process.execPath, '--import', tsxLoader(), PEER, '0'];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`peer did not print its port within 15 s (saw ${JSON.stringify(out)})`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /peer listening on (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port };
}

/** Waits until one short connection through `port` works (routers linked, address known). */
async function waitWorking(what: string, port: number, timeoutMs = 30_000): Promise<void> {
  // A failed connection is "not yet"; the timeout error gives the last one's message.
  await waitFor(`a short connection through the ${what}`, async () => ready(await shortConnection(port)), { timeoutMs, intervalMs: 100, maxIntervalMs: 100 });
}

interface Target {
  name: string;
  port: number;
  pair?: RouterPair;
}

const TESTS = ['upload MiB/s', 'download MiB/s', 'conn/s seq', `conn/s ${INFLIGHT} in flight`] as const;
type Test = (typeof TESTS)[number];

const ONLY = values.only?.split(',');

async function runTest(t: Test, port: number): Promise<number> {
  switch (t) {
    case 'upload MiB/s': return upload(port, BYTES);
    case 'download MiB/s': return download(port, BYTES);
    case 'conn/s seq': return report(await connectionRate(port, CONNS, 1));
    default: return report(await connectionRate(port, CONNS_INFLIGHT, INFLIGHT));
  }
}

function report(r: { perSecond: number; failures: number; firstError?: string }): number {
  if (r.failures) process.stdout.write(` [${r.failures} failed: ${r.firstError}]`);
  return r.perSecond;
}

async function linkCount(pair: RouterPair | undefined): Promise<string> {
  if (!pair || pair.kind !== 'ours') return 'n/a';
  const [a, b] = await Promise.all([metricSum(pair.httpA, LINKS_METRIC), metricSum(pair.httpB, LINKS_METRIC)]);
  return a === undefined || b === undefined ? 'n/a' : `A ${a} B ${b}`;
}

const tmp = makeTempDir('bench-router');
const dir = tmp.path;
const peer = await startPeer();
const targets: Target[] = [{ name: 'direct', port: peer.port }];
const stopAll = async () => {
  for (const t of targets) await t.pair?.stop();
  peer.child.kill('SIGTERM');
  tmp.remove();
};
process.once('SIGINT', () => void stopAll().then(() => (process.exitCode = 130)));
try {
  const nodeArgs = [...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []), ...(values['node-args']?.split(' ').filter(Boolean) ?? [])];
  if (values.baseline) {
    mkdirSync(join(dir, 'baseline'));
    const base = await startPair({ kind: 'ours', main: values.baseline, dir: join(dir, 'baseline'), peerPort: peer.port, ...FRAMES, ...(WORKER_THREADS ? { workerThreads: WORKER_THREADS } : {}) });
    targets.push({ name: 'baseline', port: base.port, pair: base });
    await waitWorking('baseline router pair', base.port);
    console.log(`baseline: ${values.baseline}`);
  }
  const ours = await startPair({ kind: 'ours', main: OURS, dir, peerPort: peer.port, ...FRAMES, nodeArgs, ...(WORKER_THREADS ? { workerThreads: WORKER_THREADS } : {}) });
  targets.push({ name: 'ours', port: ours.port, pair: ours });
  await waitWorking('our router pair', ours.port);
  const withSk = !values['no-skrouterd'] && skrouterdOnPath() !== undefined;
  if (withSk) {
    const sk = await startPair({ kind: 'skrouterd', main: OURS, dir, peerPort: peer.port, ...FRAMES, ...(WORKER_THREADS ? { workerThreads: WORKER_THREADS } : {}) });
    targets.push({ name: 'skrouterd', port: sk.port, pair: sk });
    await waitWorking('skrouterd pair', sk.port);
    console.log(`skrouterd: ${execFileSync('skrouterd', ['--version']).toString().trim()}`);
  } else console.log(values['no-skrouterd'] ? 'skrouterd: left out (--no-skrouterd)' : 'skrouterd: not on PATH, left out');
  console.log(`our router: ${OURS}${WORKER_THREADS ? ` (workerThreads ${WORKER_THREADS})` : ''}`);
  console.log(`inter-router maxFrameSize ${FRAMES.maxFrameSize}, maxSessionFrames ${FRAMES.maxSessionFrames}; at start: ${loadAverage()}`);

  if (values.soak) {
    const total = Number(values.soak);
    const inflight = Number(values['soak-inflight']);
    for (const t of targets.filter((x) => x.pair)) {
      console.log(`\nsoak: ${total} short connections through ${t.name}, ${inflight} in flight`);
      console.log(`  ${pad('done', 6)} ${pad('conn/s', 7)}  AMQP links (router A, B)`);
      console.log(`  ${pad('0', 6)} ${pad('-', 7)}  ${await linkCount(t.pair)}`);
      const r = await connectionRate(t.port, total, inflight, async (done, rate) => {
        console.log(`  ${pad(String(done), 6)} ${pad(f0(rate), 7)}  ${await linkCount(t.pair)}`);
      });
      await new Promise((res) => setTimeout(res, 500));
      console.log(`  overall ${f0(r.perSecond)} conn/s, ${r.failures} failed${r.firstError ? ` (first: ${r.firstError})` : ''}; links 0.5 s later: ${await linkCount(t.pair)}`);
    }
  } else {
    // Warm up (JIT, page cache), then interleave: every repetition runs every test on every target.
    for (const t of targets) {
      await upload(t.port, 32 << 20);
      await download(t.port, 32 << 20);
      await connectionRate(t.port, 500, INFLIGHT);
    }
    const results = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const pids = new Map(await Promise.all(targets.filter((t) => t.pair).map(async (t) => [t.name, await t.pair!.pids()] as const)));
    console.log(`router processes: ${[...pids].map(([n, p]) => `${n} ${p.length} (pids ${p.join(' ')})`).join('; ')}`);
    for (let rep = 1; rep <= REPS; rep++) {
      console.log(`\nrepetition ${rep}/${REPS} (${loadAverage()})`);
      for (const test of TESTS.filter((x, i) => !ONLY || ONLY.includes(['up', 'down', 'seq', 'inflight'][i]!))) {
        const line: string[] = [];
        const cpuLine: string[] = [];
        for (const t of targets) {
          const c0 = cpuNs(pids.get(t.name) ?? []);
          const v = await runTest(test, t.port);
          const used = cpuNs(pids.get(t.name) ?? []) - c0;
          const key = `${t.name}|${test}`;
          results.set(key, [...(results.get(key) ?? []), v]);
          line.push(`${t.name} ${f0(v)}`);
          if (t.pair) {
            // Router CPU per unit of work: robust to the other load on a shared machine.
            const per = test.includes('MiB') ? used / 1e6 / (BYTES / 1048576) : used / 1e3 / (test === 'conn/s seq' ? CONNS : CONNS_INFLIGHT);
            cpu.set(key, [...(cpu.get(key) ?? []), per]);
            cpuLine.push(`${t.name} ${per.toFixed(test.includes('MiB') ? 2 : 0)}`);
          }
        }
        console.log(`  ${test.padEnd(22)} ${line.join('  ')}   router CPU ${test.includes('MiB') ? 'ms/MiB' : 'µs/conn'}: ${cpuLine.join('  ')}`);
      }
      const links = await Promise.all(targets.filter((t) => t.pair?.kind === 'ours').map(async (t) => `${t.name} ${await linkCount(t.pair)}`));
      if (links.length) console.log(`  our routers' AMQP links after this repetition: ${links.join(', ')}`);
    }
    const best = (name: string, test: Test) => Math.max(...(results.get(`${name}|${test}`) ?? [NaN]));
    const leastCpu = (name: string, test: Test) => Math.min(...(cpu.get(`${name}|${test}`) ?? [NaN]));
    console.log(`\nbest of ${REPS} (ratio to direct; ours / skrouterd)`);
    for (const test of TESTS.filter((x) => results.has(`direct|${x}`))) {
      const d = best('direct', test);
      const cells = targets.map((t) => `${t.name} ${f0(best(t.name, test))}${t.name === 'direct' ? '' : ` (${(best(t.name, test) / d).toFixed(2)}x)`}`);
      const vsSk = targets.some((t) => t.name === 'skrouterd') ? `  ours/skrouterd ${(best('ours', test) / best('skrouterd', test)).toFixed(2)}` : '';
      console.log(`  ${test.padEnd(22)} ${cells.join('  ')}${vsSk}`);
    }
    console.log(`\nrouter CPU per unit, both routers together, least of ${REPS} (ms per MiB moved; µs per connection)`);
    for (const test of TESTS.filter((x) => cpu.has(`ours|${x}`))) {
      const cells = targets.filter((t) => t.pair).map((t) => `${t.name} ${leastCpu(t.name, test).toFixed(test.includes('MiB') ? 2 : 0)}`);
      const vsSk = cpu.has(`skrouterd|${test}`) ? `  ours/skrouterd ${(leastCpu('ours', test) / leastCpu('skrouterd', test)).toFixed(2)}` : '';
      console.log(`  ${test.padEnd(22)} ${cells.join('  ')}${vsSk}`);
    }
  }
  console.log(`\nat end: ${loadAverage()} (the machine is shared; compare within this run)`);
} finally {
  await stopAll();
}
