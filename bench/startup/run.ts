// bench/startup: how long a topology takes to be ready, phase by phase.
//
//   npx tsx bench/startup/run.ts [--runs N]
//
// Prints min/median/max per phase (namespaces, etcd, flannel, pods) and in total, for one
// cluster of 3 workers and for the default 2 clusters x 3 workers, plus the harness's peak
// RSS. The baseline is knetsim's own start-up, which waits in fixed sleeps (see below).
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../../harness/model/simulation.ts';
import { loadTopology, planTopology, type Topology } from '../../harness/model/topology.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);

const defaultTopology = loadTopology(fileURLToPath(new URL('../../conf/topology.default.json', import.meta.url)));
const oneCluster = planTopology(
  {
    name: '1x3',
    clusters: [{ name: 'C0', workers: ['w1', 'w2', 'w3'], pods: defaultTopology.clusters[0]!.pods }],
  },
  { baseDir: fileURLToPath(new URL('../../conf/', import.meta.url)) },
);

const PHASES = ['namespaces', 'etcd', 'flannel', 'pods', 'total'] as const;

async function measure(label: string, topology: Topology) {
  const samples: Record<string, number[]> = Object.fromEntries(PHASES.map((p) => [p, []]));
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const sim = await Simulation.start({ topology, title: 'bench' });
    const total = performance.now() - t0;
    for (const t of sim.timings) samples[t.phase]!.push(t.ms);
    samples.total!.push(Math.round(total));
    await sim.stop();
  }
  console.log(`\n${label} (${runs} runs; ms)`);
  console.log('phase'.padEnd(12) + 'min'.padStart(8) + 'median'.padStart(8) + 'max'.padStart(8));
  for (const p of PHASES) {
    const s = [...samples[p]!].sort((a, b) => a - b);
    console.log(p.padEnd(12) + String(s[0]).padStart(8) + String(s[Math.floor(s.length / 2)]).padStart(8) + String(s.at(-1)).padStart(8));
  }
  const s = [...samples.total!].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const m1 = await measure('1 cluster x 3 workers, 3 pods', oneCluster);
const m2 = await measure('default: 2 clusters x 3 workers, 6 pods', defaultTopology);

// knetsim (IBM k8s-netsim, core/cluster.py) starts clusters one after the other and, in
// each, sleeps 2 s after starting etcd and 1 s after starting flanneld: 3 s per cluster of
// fixed sleeps, before any real work (and 5 s more before its skupper routers are used).
const KNETSIM_SLEEP_PER_CLUSTER_MS = 3_000;
console.log(`\npeak RSS of the harness: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
console.log(`median ready: 1x3 ${m1} ms; default 2x3 ${m2} ms (goal <= 3000 ms)`);
console.log(`knetsim's fixed sleeps alone: 1x3 ${KNETSIM_SLEEP_PER_CLUSTER_MS} ms, 2x3 ${2 * KNETSIM_SLEEP_PER_CLUSTER_MS} ms`);
console.log(`ratio (knetsim sleeps / our median ready): 1x3 ${(KNETSIM_SLEEP_PER_CLUSTER_MS / m1).toFixed(2)}x, 2x3 ${((2 * KNETSIM_SLEEP_PER_CLUSTER_MS) / m2).toFixed(2)}x`);
