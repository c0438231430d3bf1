// Opens generated reports in headless Chromium (Debian's chromium, driven by playwright-core;
// no browser download) and checks what a person sees. Screenshots: reports/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stubRunner } from '../grading/fixtures/stub-runner.ts';
import { runScenario } from '../grading/scenario-run.ts';
import { runGrading } from '../grading/run-grading.ts';
import { generateReport } from './commands/report.ts';
import { serveDir } from './fixtures/static-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'reports/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every wait on the page has this deadline. */
const UI_TIMEOUT_MS = 15_000;

let browser: Browser;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'knetsim-report-view-'));
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(url, { timeout: UI_TIMEOUT_MS });
  return page;
}

const text = async (page: Page) => (await page.innerText('body')).replace(/\s+/g, ' ');

describe('the Allure report in a browser', () => {
  test('shows the scenario names, 2 passed and 1 failed, and a step with its attachment', async () => {
    // A small real report: a scenario run by vitest in a child (two-worker simulation), then Allure.
    const run = await runScenario({
      root: ROOT,
      files: ['harness/cli/fixtures/report-demo.scenario.ts'],
      workDir: join(work, 'demo'),
      topologyFile: join(ROOT, 'harness/matrix/fixtures/two-workers.topology.json'),
      timeoutMs: 150_000,
    });
    expect(run.outcome, run.outputTail).toBe('failed');
    expect(run.junit?.tests).toBe(3);
    await generateReport(run.reportDir);
    const site = await serveDir(join(run.reportDir, 'html'));
    try {
      const page = await open(`${site.url}index.html`);
      for (const name of ['c1 reaches c2 across workers', 'w1 reaches w2', 'a check that fails on purpose']) {
        await expect.poll(() => page.getByText(name, { exact: true }).count(), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
      }
      const summary = await text(page);
      expect(summary).toMatch(/Total 3 Failed 1 Passed 2/);
      expect(summary).toContain('report-demo.scenario.ts');

      // A test: its steps; "start-up: pods" holds each pod's step, and that the pod's CNI result, attached.
      await page.getByText('c1 reaches c2 across workers', { exact: true }).first().click();
      await page.getByText('start-up: pods').first().click();
      await page.getByText(/^pod C0w1:c1 /).first().click();
      await expect.poll(() => page.getByText(/CNI result C0w1:c1/).count(), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await text(page)).toMatch(/topology\.svg image\/svg\+xml/);
      await page.getByText(/CNI result C0w1:c1/).first().click();
      await expect.poll(async () => (await text(page)).includes('cniVersion'), { timeout: UI_TIMEOUT_MS }).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
      await page.close();
    } finally {
      await site.close();
    }
  });
});

describe('the grading pages in a browser', () => {
  test('the class summary lists each student and score; a student page shows failed checks with hints', async () => {
    // Scenario checks answer from a stub here (grade.sim.test.ts runs them for real): pages only.
    const outDir = join(work, 'grades');
    await runGrading({ exercisesDir: join(ROOT, 'exercises'), submissionsDir: join(ROOT, 'exercises/samples'), outDir, parallel: 2, timeoutMs: 1000, runner: stubRunner() });
    const site = await serveDir(outDir);
    try {
      const page = await open(`${site.url}index.html`);
      const rows = await page.locator('tr[data-student]').allInnerTexts();
      expect(rows.map((r) => r.split('\t')[0]!.trim())).toEqual(['broken', 'empty', 'partial', 'perfect']);
      expect(await page.locator('tr[data-student="perfect"]').innerText()).toContain('61 / 61');
      await page.getByRole('link', { name: 'broken' }).click();
      await expect.poll(() => page.locator('[data-testid=score]').innerText(), { timeout: UI_TIMEOUT_MS }).toBe('6 / 61');
      const row = page.locator('tr[data-check="topology-valid"]');
      expect(await row.innerText()).toMatch(/failed[\s\S]*clusters\.0\.workers: Expected array, received string[\s\S]*Hint: /);
      await page.screenshot({ path: join(SHOTS, 'grades-student.png'), fullPage: true });
      await page.close();
    } finally {
      await site.close();
    }
  });
});
