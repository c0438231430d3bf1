import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The vitest config of a child the grader (in its sandbox, loaded with --configLoader runner:
// the repository is read-only there) or the matrix starts: `--root` is the folder of the
// scenario(s), results go to $KNETSIM_REPORT_DIR, `knetsim/testing` is the harness's testing
// API on $KNETSIM_TOPOLOGY (student-testing.ts). One file at a time.
const reportDir = process.env.KNETSIM_REPORT_DIR ?? 'report';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: { alias: { 'knetsim/testing': here('./student-testing.ts') } },
  test: {
    include: ['**/*.{test,scenario}.ts'],
    exclude: ['**/node_modules/**'],
    setupFiles: [here('../../node_modules/allure-vitest/dist/setup.js')],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: [
      'default',
      [here('../../node_modules/allure-vitest/dist/reporter.js'), { resultsDir: `${reportDir}/allure-results` }],
      ['junit', { outputFile: `${reportDir}/junit.xml` }],
    ],
  },
});
