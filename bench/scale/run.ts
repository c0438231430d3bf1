// bench/scale: big topologies on one machine.
//
//   npx tsx bench/scale/run.ts [--workers 50] [--pods 10] [--side-by-side 4]
//
// (1) one cluster of W workers with P pods each: time to ready per phase, harness RSS,
//     per-pod cost, and a ping across the two farthest workers;
// (2) N default topologies (2 clusters x 3 workers) started side by side.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../../harness/model/simulation.ts';
import { loadTopology, planTopology } from '../../harness/model/topology.ts';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '50' }, pods: { type: 'string', default: '10' }, 'side-by-side': { type: 'string', default: '4' } },
});
const W = Number(values.workers);
const P = Number(values.pods);
const N = Number(values['side-by-side']);
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const workers = Array.from({ length: W }, (_, i) => `w${i + 1}`);
const big = planTopology(
  {
    name: `scale-${W}x${P}`,
    clusters: [{ name: 'C0', workers, pods: workers.flatMap((w) => Array.from({ length: P }, (_, j) => ({ name: `${w}p${j + 1}`, worker: w }))) }],
  },
  { baseDir: fileURLToPath(new URL('../../conf/', import.meta.url)) },
);

console.log(`(1) one cluster, ${W} workers x ${P} pods = ${W * P} pods`);
let t0 = performance.now();
const sim = await Simulation.start({ topology: big, title: 'bench-scale' });
const ready = performance.now() - t0;
for (const t of sim.timings) console.log(`  ${t.phase.padEnd(11)} ${String(t.ms).padStart(7)} ms`);
console.log(`  ready in ${Math.round(ready)} ms (goal <= 60000); per pod ${(sim.timings.find((t) => t.phase === 'pods')!.ms / (W * P)).toFixed(1)} ms`);
const c0 = sim.cluster('C0');
const ping = await c0.pod('w1p1').ping(c0.pod(`w${W}p${P}`), { count: 3 });
console.log(`  ping w1p1 -> w${W}p${P}: ${ping.received}/${ping.transmitted} received`);
console.log(`  harness peak RSS ${mb()} MB (goal <= 500)`);
t0 = performance.now();
await sim.stop();
console.log(`  teardown ${Math.round(performance.now() - t0)} ms`);

console.log(`\n(2) ${N} default topologies side by side`);
const def = loadTopology(fileURLToPath(new URL('../../conf/topology.default.json', import.meta.url)));
t0 = performance.now();
const sims = await Promise.all(Array.from({ length: N }, () => Simulation.start({ topology: def, title: 'bench-scale' })));
console.log(`  all ${N} ready in ${Math.round(performance.now() - t0)} ms; harness peak RSS ${mb()} MB`);
const pings = await Promise.all(sims.map((s) => s.cluster('C1').pod('c1').ping(s.cluster('C1').pod('c3'), { count: 2 })));
console.log(`  pings: ${pings.map((p) => `${p.received}/${p.transmitted}`).join(' ')}`);
await Promise.all(sims.map((s) => s.stop()));
