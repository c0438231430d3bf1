// Cold start of each helper program: node + tsx from its TypeScript, against node running
// its prebuilt bundle, from spawn to the line that says it is ready (or to its exit, for
// the one-shot programs). Each runs where the harness runs it (a worker's or pod's
// namespace of a small simulation), alternating tsx and bundle.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteConfig } from '../../harness/components/skupper/site-config.ts';
import { Daemon } from '../../harness/sys/daemon.ts';
import { inNetns } from '../../harness/sys/exec.ts';
import { makeTempDir } from '../../harness/sys/temp-dir.ts';
import { HELPER_ENTRIES, REPO_ROOT, freshBundle } from '../../harness/sys/bundles.js';
import { tsxLoader } from '../../harness/sys/node-script.ts';
import { Simulation } from '../../harness/model/simulation.ts';
import { planTopology } from '../../harness/model/topology.ts';
import { TimedProcess } from './timed-process.ts';

const BIN = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));

interface Where {
  workerNetns: string;
  podNetns: string;
  podIp: string;
  etcd: string;
  dir: string;
}

/** How one program is started for the benchmark, and what says it is ready. */
interface Case {
  netns: 'worker' | 'pod' | 'none';
  args(w: Where): string[];
  /** The line (stdout or stderr) that says it is ready, or for a one-shot program, that it did its work. */
  ready: RegExp;
  /** A one-shot program: timed to its exit (after that line). */
  exits?: true;
  /** knetsim itself is started through bin/knetsim.js (KNETSIM_BUNDLES=0 for its TypeScript). */
  viaBin?: boolean;
}

const ECHO_PORT = 18080;

/** One case per entry of HELPER_ENTRIES; an entry without one is reported as not measured. */
const CASES: Record<string, Case> = {
  'harness/cli/main.ts': { netns: 'none', args: () => ['--version'], ready: /^knetsim \d/, exits: true, viaBin: true },
  'harness/components/kube-proxy/agent-main.ts': {
    netns: 'worker',
    args: (w) => ['--worker', 'Bench', '--etcd', w.etcd],
    ready: /"event":"applied"/,
  },
  'harness/components/kube-proxy/echo-main.ts': { netns: 'pod', args: () => ['--port', String(ECHO_PORT + 1), '--name', 'bench'], ready: /listening on/ },
  'harness/components/kube-proxy/probe-main.ts': {
    netns: 'pod',
    args: (w) => ['--host', w.podIp, '--port', String(ECHO_PORT), '--count', '1'],
    ready: /"counts":\{"bench":1\}/,
    exits: true,
  },
  'harness/components/skupper/bulk-main.ts': { netns: 'pod', args: () => ['serve', String(ECHO_PORT + 2)], ready: /bulk listening/ },
  'harness/router/main.ts': { netns: 'pod', args: (w) => ['-c', join(w.dir, 'router.json')], ready: /router bench started/ },
  // Without arguments it loads (the whole model) and prints its usage: that is its cold start.
  'harness/matrix/snapshot-main.ts': { netns: 'none', args: () => [], ready: /^usage: snapshot-main/, exits: true },
};

export interface HelperResult {
  entry: string;
  tsx: number[];
  bundle: number[];
  /** Why it was not measured. */
  skipped?: string;
}

function argv(entry: string, c: Case, w: Where, mode: 'tsx' | 'bundle'): { argv: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env, KNETSIM_BUNDLES: mode === 'tsx' ? '0' : '1' };
  let cmd: string[];
  if (c.viaBin) cmd = [process.execPath, BIN, ...c.args(w)];
  else if (mode === 'tsx') cmd = [process.execPath, '--import', tsxLoader(), join(REPO_ROOT, entry), ...c.args(w)];
  else {
    const b = freshBundle(entry);
    if (!('path' in b)) throw new Error(`no fresh bundle: ${b.reason}`);
    cmd = [process.execPath, b.path, ...c.args(w)];
  }
  const netns = c.netns === 'worker' ? w.workerNetns : c.netns === 'pod' ? w.podNetns : undefined;
  return { argv: inNetns(netns, cmd), env };
}

async function once(entry: string, c: Case, w: Where, mode: 'tsx' | 'bundle'): Promise<number> {
  const { argv: a, env } = argv(entry, c, w, mode);
  const p = new TimedProcess(a, { env });
  try {
    const ready = await p.waitLine(c.ready, 30_000, `${entry} (${mode}) ready`);
    return c.exits ? await p.waitExit(30_000) : ready;
  } finally {
    p.kill('SIGTERM');
    await p.waitExit(5_000);
  }
}

/** Measures every entry `runs` times each way, in one small simulation. */
export async function measureHelpers(runs: number): Promise<HelperResult[]> {
  const sim = await Simulation.start({
    topology: planTopology({ name: 'bench-helpers', clusters: [{ name: 'B', workers: ['w1'], pods: [{ name: 'p1', worker: 'w1' }] }] }),
    title: 'bench helpers',
  });
  const tmp = makeTempDir('bench');
  const dir = tmp.path;
  try {
    const cluster = sim.cluster('B');
    const worker = cluster.worker('w1');
    const pod = cluster.pod('p1');
    writeFileSync(join(dir, 'router.json'), JSON.stringify(siteConfig({ id: 'bench', links: [], services: [] })));
    const w: Where = { workerNetns: worker.netns, podNetns: pod.netns, podIp: pod.ip, etcd: cluster.etcd.endpoints.join(','), dir };
    // The probe needs something to answer it.
    const echo = Daemon.start(sim.ledger, {
      name: 'bench echo',
      netns: pod.netns,
      logFile: join(dir, 'echo.log'),
      argv: argv('harness/components/kube-proxy/echo-main.ts', { ...CASES['harness/components/kube-proxy/echo-main.ts']!, args: () => ['--port', String(ECHO_PORT), '--name', 'bench'] }, w, 'bundle').argv,
    });
    await pod.waitListening(ECHO_PORT, { daemon: echo });
    const results: HelperResult[] = [];
    for (const entry of HELPER_ENTRIES) {
      const c = CASES[entry];
      if (!c) {
        results.push({ entry, tsx: [], bundle: [], skipped: 'no cold-start case in bench/startup/helpers.ts' });
        continue;
      }
      const r: HelperResult = { entry, tsx: [], bundle: [] };
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first, so neither always follows the other.
        for (const mode of i % 2 ? (['bundle', 'tsx'] as const) : (['tsx', 'bundle'] as const)) r[mode].push(await once(entry, c, w, mode));
      }
      results.push(r);
    }
    await echo.stop();
    return results;
  } finally {
    await sim.stop();
    tmp.remove();
  }
}
