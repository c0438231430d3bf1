import { defineConfig } from 'vitest/config';
import { FlakyReporter } from './harness/testing/flaky-reporter.ts';
import { skrouterdOnPath } from './harness/components/skupper/router-kind.ts';
import { DurationSequencer } from './harness/shards/duration-sequencer.ts';

// Results for the report: Allure results and JUnit XML, under KNETSIM_REPORT_DIR
// (`knetsim test --report-dir`), default reports/latest.
const reportDir = process.env.KNETSIM_REPORT_DIR ?? 'reports/latest';
// `knetsim test --shard i/n` also asks for vitest's blob report (KNETSIM_BLOB_FILE), which
// `knetsim merge` replays through the reporters below (`vitest --merge-reports`).
const blobFile = process.env.KNETSIM_BLOB_FILE;

// Two projects: `unit` is pure logic and runs anywhere; `scenarios` builds real
// simulations (root, namespaces, etcd, flanneld) and needs the setup script's tools, with the
// built-in router (unless KNETSIM_ROUTER says otherwise).
// A third, `scenarios-skrouterd`, runs the multi-cluster scenarios against the real skrouterd
// (KNETSIM_ROUTER=skrouterd) plus the management interop tests. It exists when skrouterd is on
// PATH or when asked for by name (--project scenarios-skrouterd); asked for without skrouterd,
// its global setup fails saying what is missing.
const MULTICLUSTER = [
  'scenarios/ch4-*.test.ts',
  'scenarios/faults-processes.test.ts',
  'harness/components/skupper/*.sim.test.ts',
  'harness/components/skupper/*.skrouterd.test.ts',
  'harness/model/multicluster.sim.test.ts',
];
const skrouterdProject = skrouterdOnPath() !== undefined || process.argv.some((a) => a.includes('scenarios-skrouterd'));

export default defineConfig({
  test: {
    // Each scenario file builds its own simulation; two files run side by side (2 cores).
    pool: 'forks',
    // A temp folder and a state folder of the run's own; the run fails if a test leaves anything in them.
    globalSetup: ['harness/testing/leftover-check.ts'],
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // `--shard i/n` splits the files by their recorded durations (conf/test-durations.json),
    // not by count: vitest's sequencer with its shard step replaced (harness/shards/durations.ts).
    sequence: { sequencer: DurationSequencer },
    reporters: [
      'default',
      ['allure-vitest/reporter', { resultsDir: `${reportDir}/allure-results` }],
      ['junit', { outputFile: `${reportDir}/junit.xml` }],
      new FlakyReporter(reportDir),
      ...(blobFile ? [['blob', { outputFile: blobFile }] satisfies ['blob', { outputFile: string }]] : []),
    ],
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles: ['allure-vitest/setup'],
          include: ['harness/**/*.test.ts'],
          exclude: ['harness/**/*.sim.test.ts', 'harness/**/*.skrouterd.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'scenarios',
          setupFiles: ['allure-vitest/setup'],
          include: ['scenarios/**/*.test.ts', 'harness/**/*.sim.test.ts'],
          env: { KNETSIM_ROUTER: process.env.KNETSIM_ROUTER ?? 'builtin' },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      ...(skrouterdProject
        ? [{
            test: {
              name: 'scenarios-skrouterd',
              setupFiles: ['allure-vitest/setup'],
              globalSetup: ['harness/testing/skrouterd-setup.ts'],
              include: MULTICLUSTER,
              env: { KNETSIM_ROUTER: 'skrouterd' },
              testTimeout: 120_000,
              hookTimeout: 180_000,
            },
          }]
        : []),
    ],
  },
});
