import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';

/** A test that failed, then passed on a retry (`knetsim test --retries N`). */
export interface FlakyTest {
  /** As allure-vitest names it: `<project>:<file>#<suite> <test>` without the project. */
  file: string;
  name: string;
  retryCount: number;
}

/**
 * Writes `flaky.json` into the report folder: the tests vitest says passed only on a
 * retry. `knetsim test` marks them flaky in the Allure results and attaches the evidence
 * their failed tries left (see failed-tries.ts).
 */
export class FlakyReporter implements Reporter {
  private readonly flaky: FlakyTest[] = [];

  constructor(private readonly reportDir: string) {}

  onTestCaseResult(testCase: TestCase): void {
    const d = testCase.diagnostic();
    if (d?.flaky) this.flaky.push({ file: relative(process.cwd(), testCase.module.moduleId), name: testCase.fullName, retryCount: d.retryCount });
  }

  onTestRunEnd(): void {
    mkdirSync(this.reportDir, { recursive: true });
    writeFileSync(join(this.reportDir, 'flaky.json'), JSON.stringify(this.flaky, null, 2));
  }
}
