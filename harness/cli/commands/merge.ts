import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { HarnessError } from '../../sys/errors.ts';
import { isWithin } from '../../sys/path-within.ts';
import { mergeGradeOutputs } from '../../grading/output/merge.ts';
import { mergeMatrixOutputs, matrixPassed, type MatrixShard } from '../../matrix/merge.ts';
import { byShard, checkShards, OUTPUT_MARKER, readOutputMarker } from '../../shards/output-marker.ts';
import { mergeTestReports, type TestShard } from '../merge-reports.ts';
import { parse } from './args.ts';

const OUT_DEFAULT = 'reports/merged';

const USAGE = `knetsim merge DIR... [--out DIR] [--partial] [--no-report]

Makes one report of the output folders of a sharded run: each DIR is what one shard wrote
(knetsim test --shard I/N, knetsim matrix --shard I/N, knetsim grade --shard I/N; each says
so in DIR/${OUTPUT_MARKER}). All folders must be shards of one run; a shard given twice,
or shards of different kinds or runs, are refused. By kind:
  test     vitest --merge-reports replays the shards' blob reports through the reporters of
           vitest.config.ts: OUT/allure-results, OUT/junit.xml and OUT/html/index.html, as
           one unsharded run writes them (failed tries' evidence and flaky marks included)
  matrix   OUT/matrix.json and OUT/index.html over every variant, in the variants file's
           order, dataplane diffs against its first variant; each variant's work folder
  grades   the grading merge (harness/grading): class summary, student pages, grades.csv
  --out DIR     where the merged report goes (default ${OUT_DEFAULT}); emptied first, so it may
                not be, or hold, one of the DIRs
  --partial     merge even when shards are missing: they are named, and the exit code is 1
  --no-report   test: leave out the HTML report
Exit code: 0 when every shard is there and (test) every test passed / (matrix) every
scenario passed on every variant that ran; 1 otherwise.`;

export async function merge(args: string[]): Promise<number> {
  const a = parse(args, USAGE, { out: { type: 'string' }, partial: { type: 'boolean' }, 'no-report': { type: 'boolean' } });
  if (!a) return 0;
  if (a.positionals.length === 0) {
    console.error(`knetsim merge: name the shards' output folders\n\n${USAGE}`);
    return 2;
  }
  const outDir = resolve(a.values.out ?? OUT_DEFAULT);
  const dirs = [...new Set(a.positionals.map((d) => resolve(d)))];
  for (const d of dirs) {
    if (!existsSync(d)) throw new HarnessError(`no folder ${d}`);
    if (isWithin(d, outDir) || isWithin(outDir, d)) throw new HarnessError(`--out ${outDir} and the input ${d} overlap: --out is emptied first`);
  }
  const outputs = byShard(dirs.map(readOutputMarker));
  const check = checkShards(outputs);
  if (check.missing.length) {
    const msg = `missing shard(s) ${check.missing.join(', ')} of ${check.count}`;
    if (!a.values.partial) throw new HarnessError(`${msg}: give every shard's folder, or --partial to merge what is there`);
    console.error(`knetsim merge: ${msg}; merging the ${outputs.length} given (--partial)`);
  }
  const complete = check.missing.length === 0;
  switch (check.kind) {
    case 'test': {
      const shards = outputs as TestShard[];
      const r = await mergeTestReports(shards, outDir, { report: !a.values['no-report'] });
      const t = r.totals;
      if (r.flaky) console.log(`${r.flaky} test(s) passed only on a retry: marked flaky in the report`);
      console.log(`\nmerged ${shards.length} shard(s): ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`);
      console.log(`${r.html ? `report: ${r.html}\n` : ''}junit:  ${outDir}/junit.xml`);
      return r.exitCode === 0 && complete ? 0 : 1;
    }
    case 'matrix': {
      const results = mergeMatrixOutputs(outputs as MatrixShard[], outDir);
      console.log(`merged ${outputs.length} shard(s), ${results.length} variant(s)\nmatrix: ${outDir}/index.html`);
      return matrixPassed(results) && complete ? 0 : 1;
    }
    case 'grades':
      mergeGradeOutputs(outputs.map((o) => o.dir), outDir);
      console.log(`merged ${outputs.length} grading output(s)\ngrades: ${outDir}/index.html\ncsv:    ${outDir}/grades.csv`);
      return complete ? 0 : 1;
  }
}
