import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitTotals } from './test.ts';

describe('junitTotals', () => {
  it('counts passed, failed (failures and errors) and skipped cases', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'junit-')), 'junit.xml');
    writeFileSync(
      file,
      `<?xml version="1.0"?>\n<testsuites name="vitest tests" tests="6" failures="1" errors="1" time="1">\n` +
        `<testsuite name="a" tests="6"><testcase name="x"><skipped/></testcase></testsuite></testsuites>`,
    );
    expect(junitTotals(file)).toEqual({ passed: 3, failed: 2, skipped: 1 });
  });
  it('says nothing when there is no file', () => {
    expect(junitTotals('/nonexistent/junit.xml')).toBeUndefined();
  });
});
