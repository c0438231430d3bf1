import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { fileURLToPath } from 'node:url';
import { junitTotals, runVitest } from './test.ts';

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

describe('runVitest', () => {
  it('stops a vitest run that outlives its deadline and fails it', async () => {
    const config = fileURLToPath(new URL('../fixtures/hang/vitest.config.ts', import.meta.url));
    // A temp dir of this test's own: the suite's is shared with the files running beside it.
    using own = makeTempDir('deadline');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own.path;
    try {
      const t0 = Date.now();
      const code = await runVitest(['run', '--config', config], { ...process.env }, { deadlineMs: 4_000, flag: '--deadline in this test' });
      expect(code).toBe(1);
      // SIGTERM at the deadline ends it: well before the SIGKILL that would follow 20 s later.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4_000);
      expect(Date.now() - t0).toBeLessThan(15_000);
      // vitest, stopped by a signal, leaves its transform folder: it was in a temp dir of its own, now gone.
      expect(readdirSync(own.path).filter((f) => !/^tsx-\d+$/.test(f))).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
    }
  }, 30_000);
});
