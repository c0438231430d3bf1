import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import { REPO_ROOT } from '../../grading/isolated-run.ts';
import { matrixPage } from '../../matrix/html.ts';
import { matrixPassed } from '../../matrix/merge.ts';
import { runMatrix } from '../../matrix/run-matrix.ts';
import { loadMatrix } from '../../matrix/variants.ts';
import { OUTPUT_MARKER, writeOutputMarker } from '../../shards/output-marker.ts';
import { parseShard, shardItems, shardText } from '../../shards/shard.ts';
import { fileURLToPath } from 'node:url';
import { parse } from './args.ts';

// Not imported from testing/fixture.ts: that module needs a running vitest.
const DEFAULT_TOPOLOGY_FILE = fileURLToPath(new URL('../../../conf/topology.default.json', import.meta.url));

const USAGE = `knetsim matrix --variants FILE [SCENARIOS...] [--out DIR] [--parallel N] [--timeout S] [--shard I/N]

Runs scenario files once per variant of the flannel / CNI configuration (backend, VNI, port,
MTU, SubnetLen, DirectRouting; hairpinMode, ipMasq, isDefaultGateway) listed in FILE (see
conf/matrix.example.json), each variant in child processes of its own, and writes one report:
variants × scenarios, and per variant a normalised diff of its dataplane (links and MTUs,
routes, FDB, neighbours, nft ruleset) against the first variant. Backends this host cannot
run are reported as skipped, with the reason. Scenarios use the variant's topology through
$KNETSIM_TOPOLOGY (those that name their own topology keep it).
  SCENARIOS       scenario files (default: the file's "scenarios")
  --out DIR       DIR/index.html (default reports/matrix)
  --parallel N    variants at once (default 2)
  --timeout S     time limit of each child process, per scenario file (default 300)
  --shard I/N     run only the I-th of N parts of the variants (dealt round-robin: the file's
                  1st variant to shard 1, 2nd to shard 2, ...) and write DIR/${OUTPUT_MARKER};
                  'knetsim merge' makes one matrix of the N folders (docs/sharding.md)
Exit code: 0 when every scenario passed on every variant that ran, 1 otherwise.`;

export async function matrix(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    variants: { type: 'string' },
    out: { type: 'string' },
    parallel: { type: 'string' },
    timeout: { type: 'string' },
    shard: { type: 'string' },
  });
  if (!a) return 0;
  if (!a.values.variants) {
    console.error(`knetsim matrix: --variants is required\n\n${USAGE}`);
    return 2;
  }
  for (const [name, v] of [['parallel', a.values.parallel ?? '2'], ['timeout', a.values.timeout ?? '300']] as const) {
    if (!/^[1-9]\d*$/.test(v)) throw new HarnessError(`--${name} must be a whole number ≥ 1, got "${v}"`);
  }
  const shard = a.values.shard === undefined ? undefined : parseShard(a.values.shard);
  const plan = loadMatrix(resolve(a.values.variants), DEFAULT_TOPOLOGY_FILE);
  if (shard && shard.count > plan.variants.length) {
    throw new HarnessError(`--shard ${shardText(shard)}: the count is larger than the ${plan.variants.length} variant(s) of ${a.values.variants}`);
  }
  const scenarios = (a.positionals.length ? a.positionals : plan.scenarios).map((s) => relative(REPO_ROOT, resolve(s)));
  if (scenarios.length === 0) throw new HarnessError('no scenarios: name them on the command line or in the variants file ("scenarios")');
  const outDir = resolve(a.values.out ?? 'reports/matrix');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  if (shard) {
    writeOutputMarker(outDir, { kind: 'matrix', shard, variantsFile: a.values.variants, variants: plan.variants.map((v) => v.name), scenarios });
  }
  const results = await runMatrix({
    plan: shard ? { ...plan, variants: shardItems(plan.variants, shard) } : plan,
    scenarios,
    outDir,
    parallel: Number(a.values.parallel ?? '2'),
    timeoutMs: Number(a.values.timeout ?? '300') * 1000,
    onProgress: (line) => console.log(line),
  });
  writeFileSync(join(outDir, 'matrix.json'), JSON.stringify(results, null, 1));
  const index = join(outDir, 'index.html');
  writeFileSync(index, matrixPage(results, a.values.variants));
  console.log(`\nmatrix: ${index}`);
  return matrixPassed(results) ? 0 : 1;
}
