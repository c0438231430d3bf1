import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../../sys/errors.ts';
import { run } from '../../sys/exec.ts';
import { parse } from './args.ts';

export const REPORT_DIR_DEFAULT = 'reports/latest';
const ALLURE = fileURLToPath(new URL('../../../node_modules/allure/cli.js', import.meta.url));

const USAGE = `knetsim report [--report-dir DIR]

Regenerates DIR/html (the Allure HTML report) from DIR/allure-results. DIR default: ${REPORT_DIR_DEFAULT}.`;

/** Allure 3 (npm package allure; no Java): results → DIR/html. Returns the index path. */
export async function generateReport(reportDir: string): Promise<string> {
  const results = join(reportDir, 'allure-results');
  if (!existsSync(results)) throw new HarnessError(`no results in ${results}: run knetsim test first`);
  const out = join(reportDir, 'html');
  // Allure keeps files it finds in an existing output folder: start from an empty one.
  rmSync(out, { recursive: true, force: true });
  await run([process.execPath, ALLURE, 'generate', results, '--output', out, '--report-name', 'knetsim'], { timeoutMs: 300_000 });
  return join(out, 'index.html');
}

export async function report(args: string[]): Promise<number> {
  const a = parse(args, USAGE, { 'report-dir': { type: 'string' } }, false);
  if (!a) return 0;
  console.log(`report: ${await generateReport(resolve(a.values['report-dir'] ?? REPORT_DIR_DEFAULT))}`);
  return 0;
}
