// bench/startup: how long knetsim takes to be ready, phase by phase.
//
//   npx tsx bench/startup/run.ts [--runs N] [--helper-runs N] [--topology FILE]
//       [--baseline-cli DIR/bin/knetsim.js] [--knetsim-dir DIR] [--original-runs N]
//       [--only helpers,up,original]
//
// helpers   cold start of every prebuilt program (HELPER_ENTRIES): node + tsx from its
//           TypeScript against node running its bundle, spawn to its ready line
// up        `knetsim up --bare` (clusters only) and `knetsim up` (the deck: VIP and the
//           multi-cluster web server) as a student runs them, interleaved in one loop, to
//           the prompt; per phase; also the deck with every helper from its TypeScript
//           (KNETSIM_BUNDLES=0), and another checkout's CLI (--baseline-cli) for before/after
// original  IBM's knetsim (k8s-netsim's main.py, Python + Mininet) from a checkout
//           (--knetsim-dir or KNETSIM_ORIGINAL_DIR) in a sandbox, timed the same way, side
//           by side with ours; skipped, saying why, without Mininet or a checkout
//
// Needs root. The machine may be shared: the load average is printed with the figures.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { requireRoot } from '../../harness/components/tools/preflight.ts';
import { buildBundles } from '../../harness/sys/bundle-build.ts';
import { upOnce, type UpSample } from './cli-up.ts';
import { measureHelpers } from './helpers.ts';
import { originalOnce, planOriginal, type OriginalSample } from './original.ts';
import { loadAverage } from '../machine.ts';
import { printTable, summarize } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'helper-runs': { type: 'string', default: '7' },
    topology: { type: 'string' },
    'baseline-cli': { type: 'string' },
    'knetsim-dir': { type: 'string' },
    'original-runs': { type: 'string', default: '3' },
    only: { type: 'string', default: 'helpers,up,original' },
  },
});
const only = new Set(values.only.split(','));
const runs = Number(values.runs);
const CLI = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));

requireRoot();
const built = (await buildBundles()).filter((b) => b.status === 'built');
if (built.length) console.log(`rebuilt ${built.length} stale bundle(s) first`);
console.log(`start: ${loadAverage()}`);

if (only.has('helpers')) {
  const results = await measureHelpers(Number(values['helper-runs']));
  console.log(`\nhelper cold start, spawn to ready line (${values['helper-runs']} runs each way, alternating; ms; ${loadAverage()})`);
  console.log('program'.padEnd(48) + 'tsx min/med'.padStart(14) + 'bundle min/med'.padStart(16) + 'ratio'.padStart(8));
  for (const r of results) {
    if (r.skipped) {
      console.log(`${r.entry.padEnd(48)}  not measured: ${r.skipped}`);
      continue;
    }
    const t = summarize(r.tsx);
    const b = summarize(r.bundle);
    console.log(
      r.entry.padEnd(48) + `${Math.round(t.min)}/${Math.round(t.median)}`.padStart(14) + `${Math.round(b.min)}/${Math.round(b.median)}`.padStart(16) + `${(t.median / b.median).toFixed(1)}x`.padStart(8),
    );
  }
}

interface Variant {
  label: string;
  cli: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  samples: UpSample[];
}
const topo = values.topology ? ['--topology', resolve(values.topology)] : [];
const variants: Variant[] = [];
const original = only.has('original') ? planOriginal(values['knetsim-dir'] ?? process.env.KNETSIM_ORIGINAL_DIR) : undefined;
const originalSamples: OriginalSample[] = [];
if (only.has('up')) {
  variants.push({ label: 'knetsim up --bare', cli: CLI, args: ['--bare', ...topo], samples: [] });
  variants.push({ label: 'knetsim up (deck)', cli: CLI, args: topo, samples: [] });
  variants.push({ label: 'knetsim up (deck), helpers through tsx (KNETSIM_BUNDLES=0)', cli: CLI, args: topo, env: { ...process.env, KNETSIM_BUNDLES: '0' }, samples: [] });
  if (values['baseline-cli']) variants.push({ label: `baseline ${values['baseline-cli']} up (deck)`, cli: resolve(values['baseline-cli']), args: topo, samples: [] });
}
const originalRuns = original && 'argv' in original ? Number(values['original-runs']) : 0;
const loads: string[] = [];
for (let i = 0; i < Math.max(variants.length ? runs : 0, originalRuns); i++) {
  // Rotate the order each round, so no variant always runs right after another.
  const round = variants.map((_, j) => variants[(i + j) % variants.length]!);
  if (i < runs) for (const v of round) v.samples.push(await upOnce(v.cli, v.args, v.env));
  if (original && 'argv' in original && i < originalRuns) originalSamples.push(await originalOnce(original));
  loads.push(loadAverage());
}
if (variants.length) console.log(`\nknetsim up to its prompt (${runs} runs per variant, interleaved; loads after each round: ${loads.slice(0, runs).map((l) => l.split(' ')[1]).join(', ')})`);

const PHASES = ['namespaces', 'etcd', 'flannel', 'pods', 'vip', 'multicluster'];
for (const v of variants) {
  const has = (k: string) => v.samples.some((s) => s.phases[k] !== undefined);
  printTable(v.label, [
    { label: 'load', samples: v.samples.map((s) => s.at.load ?? NaN), note: 'spawn to its first line (node loading knetsim)' },
    ...PHASES.filter(has).map((p) => ({ label: `  ${p}`, samples: v.samples.map((s) => s.phases[p] ?? NaN), note: p === 'vip' || p === 'multicluster' ? 'as knetsim reports it; the two run side by side' : 'as knetsim reports it' })),
    { label: 'clusters', samples: v.samples.map((s) => s.at.pods ?? NaN), note: 'spawn to "pods ready"' },
    ...(v.samples.some((s) => s.at.vip !== undefined) ? [{ label: 'vip', samples: v.samples.map((s) => s.at.vip ?? NaN), note: 'spawn to the VIP line' }] : []),
    { label: 'deck', samples: v.samples.map((s) => s.at.prompt - (s.at.pods ?? NaN)), note: '"pods ready" to the prompt' },
    { label: 'PROMPT', samples: v.samples.map((s) => s.at.prompt), note: 'spawn to the prompt' },
    { label: 'teardown', samples: v.samples.map((s) => s.teardown), note: 'exit to the end of the process' },
  ]);
}

if (only.has('original')) {
  console.log("\nIBM knetsim (k8s-netsim main.py, Python + Mininet) side by side");
  if (!original || !('argv' in original)) {
    console.log(`  skipped: ${original && 'skipped' in original ? original.skipped : 'not asked'}`);
  } else {
    printTable(`${original.dir} with ${original.python} (${originalSamples.length} runs, in the same loop as ours)`, [
      { label: 'network', samples: originalSamples.map((s) => s.at.network), note: "spawn to Mininet's switches started" },
      { label: 'vip', samples: originalSamples.map((s) => s.at.clusters), note: 'spawn to "Running connectivity test" (clusters, pods, VIP)' },
      { label: 'PROMPT', samples: originalSamples.map((s) => s.at.prompt), note: 'spawn to "mininet>" (the deck, its pings and sleeps included)' },
      { label: 'teardown', samples: originalSamples.map((s) => s.teardown), note: 'exit to the end of the process' },
    ]);
    const ok = (k: 'vipPings' | 'crossClusterWget') => `${originalSamples.filter((s) => s.worked[k]).length}/${originalSamples.length}`;
    console.log(`its own checks passed: VIP pings without loss ${ok('vipPings')}, cross-cluster wget 200 ${ok('crossClusterWget')} (skrouterd played by our router)`);
    const deck = variants.find((v) => v.label === 'knetsim up (deck)');
    if (deck?.samples.length) {
      const ours = (k: 'vip' | 'prompt') => summarize(deck.samples.map((s) => s.at[k] ?? NaN)).median;
      const theirs = (k: 'clusters' | 'prompt') => summarize(originalSamples.map((s) => s.at[k])).median;
      console.log(`\nmedian, spawn to clusters + pods + VIP: original ${Math.round(theirs('clusters'))} ms, ours ${Math.round(ours('vip'))} ms (${(theirs('clusters') / ours('vip')).toFixed(1)}x)`);
      console.log(`median, spawn to the prompt (whole deck): original ${Math.round(theirs('prompt'))} ms, ours ${Math.round(ours('prompt'))} ms (${(theirs('prompt') / ours('prompt')).toFixed(1)}x)`);
    }
  }
}
console.log(`\nend: ${loadAverage()}; peak RSS of this benchmark ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
