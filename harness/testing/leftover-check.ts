import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../sys/errors.ts';
import { reapRun } from '../sys/reaper.ts';
import { RUN_ID_PATTERN } from '../sys/run-dir.ts';
import { TEMP_PREFIX } from '../sys/temp-dir.ts';

/**
 * The folder to use as the test run's temp folder, made by whoever started vitest
 * (`knetsim test`, which cleans it if vitest is stopped before its teardown). Read once and
 * removed from the environment, so no nested vitest takes it for its own.
 */
export const SUITE_DIR_ENV = 'KNETSIM_SUITE_DIR';

/** What third-party tools keep in the temp folder on purpose: tsx's compile cache (`tsx-<uid>`). */
const TOOL_CACHES = [/^tsx-\d+$/];

/** The temp folder (TMPDIR) a test run gets, and the state folder inside it when it has its own. */
export interface SuiteFolders {
  tmp: string;
  state: string | undefined;
}

/**
 * What a test run left: every entry of its temp folder except tool caches and its state
 * folder, and every entry of its state folder (a run that was not stopped, a failed start's
 * logs). Paths, sorted.
 */
export function leftovers(folders: SuiteFolders): string[] {
  const left: string[] = [];
  for (const name of readdirSync(folders.tmp)) {
    const path = join(folders.tmp, name);
    if (path !== folders.state && !TOOL_CACHES.some((r) => r.test(name))) left.push(path);
  }
  if (folders.state && existsSync(folders.state)) for (const name of readdirSync(folders.state)) left.push(join(folders.state, name));
  return left.sort();
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * vitest globalSetup. The test run gets a temp folder of its own (`TMPDIR`, so `os.tmpdir()`
 * in every test process and every child they start) and, unless `KNETSIM_STATE_DIR` is set,
 * a state folder inside it. At the end the run fails if anything is left in them, naming
 * each path; what is left is then removed (a run's namespaces and processes reaped as by
 * `knetsim clean RUN`). Its own folders keep concurrent runs on the machine out of it.
 */
export default function setup(): () => Promise<void> {
  const saved = { TMPDIR: process.env.TMPDIR, KNETSIM_STATE_DIR: process.env.KNETSIM_STATE_DIR };
  const tmp = process.env[SUITE_DIR_ENV] ?? mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}suite-`));
  delete process.env[SUITE_DIR_ENV];
  const state = saved.KNETSIM_STATE_DIR === undefined ? join(tmp, 'state') : undefined;
  process.env.TMPDIR = tmp;
  if (state) process.env.KNETSIM_STATE_DIR = state;
  return async () => {
    const left = leftovers({ tmp, state });
    if (state && existsSync(state)) {
      for (const run of readdirSync(state).filter((d) => RUN_ID_PATTERN.test(d))) await reapRun(run).catch(() => undefined);
    }
    restore('TMPDIR', saved.TMPDIR);
    restore('KNETSIM_STATE_DIR', saved.KNETSIM_STATE_DIR);
    rmSync(tmp, { recursive: true, force: true });
    if (left.length > 0) {
      throw new HarnessError(
        `the tests left ${left.length} temporary folder(s), file(s) or run folder(s) behind (now removed); ` +
          `each test must remove what it makes, on failure too (afterAll, finally, \`using makeTempDir(...)\`):\n  ${left.join('\n  ')}`,
      );
    }
  };
}
