import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from './args.ts';
import { markFlaky } from './flaky.ts';
import { generateReport, REPORT_DIR_DEFAULT } from './report.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const USAGE = `knetsim test [PATHS...] [--all] [--report-dir DIR] [--retries N] [--no-report]

Runs scenario files with vitest (default: the scenarios project, with the built-in skupper
router unless KNETSIM_ROUTER says otherwise; --all: every test, unit tests included, and,
when skrouterd is on PATH, the scenarios-skrouterd project: the multi-cluster scenarios
again against the real skrouterd), then writes the HTML report (Allure) and JUnit XML:
  DIR/html/index.html   the report          (DIR default: ${REPORT_DIR_DEFAULT})
  DIR/junit.xml         for CI
  DIR/allure-results/   the raw results ('knetsim report' regenerates the HTML from them)
--retries N re-runs a failed test up to N times; one that passes on a retry is marked
flaky in the report, and its failed tries keep their evidence.
Exit code: 0 when every test passed, 1 otherwise.`;

export async function test(args: string[]): Promise<number> {
  const a = parse(args, USAGE, {
    all: { type: 'boolean' },
    'report-dir': { type: 'string' },
    retries: { type: 'string' },
    'no-report': { type: 'boolean' },
  });
  if (!a) return 0;
  const reportDir = resolve(a.values['report-dir'] ?? REPORT_DIR_DEFAULT);
  const retries = a.values.retries ?? '0';
  if (!/^\d+$/.test(retries)) {
    console.error(`knetsim test: --retries must be a whole number, got "${retries}"`);
    return 2;
  }
  rmSync(`${reportDir}/allure-results`, { recursive: true, force: true });
  rmSync(`${reportDir}/junit.xml`, { force: true });
  rmSync(`${reportDir}/flaky.json`, { force: true });
  rmSync(`${reportDir}/failed-tries`, { recursive: true, force: true });
  const vitest = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
  const select = a.positionals.length ? a.positionals : a.values.all ? [] : ['--project', 'scenarios'];
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [vitest, 'run', ...select, '--retry', retries], {
      stdio: 'inherit',
      cwd: ROOT,
      env: { ...process.env, KNETSIM_REPORT_DIR: reportDir },
    });
    child.on('exit', (c) => done(c ?? 1));
  });
  const flaky = markFlaky(reportDir);
  if (flaky) console.log(`${flaky} test(s) passed only on a retry: marked flaky in the report`);
  const totals = junitTotals(`${reportDir}/junit.xml`);
  if (totals) console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  if (!a.values['no-report'] && existsSync(`${reportDir}/allure-results`)) {
    const html = await generateReport(reportDir);
    console.log(`\nreport: ${html}\njunit:  ${reportDir}/junit.xml`);
  }
  return code === 0 ? 0 : 1;
}

/** The counts of a vitest JUnit file (its <testsuites> element and skipped cases). */
export function junitTotals(file: string): { passed: number; failed: number; skipped: number } | undefined {
  if (!existsSync(file)) return undefined;
  const xml = readFileSync(file, 'utf8');
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0];
  if (!root) return undefined;
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  const skipped = (xml.match(/<skipped\b/g) ?? []).length;
  const failed = attr('failures') + attr('errors');
  return { passed: attr('tests') - failed - skipped, failed, skipped };
}
