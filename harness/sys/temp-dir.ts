import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary folder knetsim makes (tests, benchmarks, grading) is named
 * `knetsim-<purpose>-XXXXXX` in `os.tmpdir()`; the test suite's leftover check looks for it.
 */
export const TEMP_PREFIX = 'knetsim-';

/** A temporary folder, removed by `remove()` or at the end of a `using` block. */
export interface TempDir extends Disposable {
  readonly path: string;
  /** Removes the folder and everything in it; calling it again does nothing. */
  remove(): void;
}

/** Makes `<tmpdir>/knetsim-<purpose>-XXXXXX`. The caller removes it (afterAll, finally, `using`). */
export function makeTempDir(purpose: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${purpose}-`));
  const remove = () => rmSync(path, { recursive: true, force: true });
  return { path, remove, [Symbol.dispose]: remove };
}
