import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { junitTotals } from './test.ts';

describe('junitTotals', () => {
  it('counts passed, failed (failures and errors) and skipped cases', () => {
    using tmp = makeTempDir('junit');
    const file = join(tmp.path, 'junit.xml');
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
