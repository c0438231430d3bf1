import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isAlive } from '../sys/proc.ts';
import { mapLimit } from '../model/concurrency.ts';
import { REPO_ROOT, runIsolated } from './isolated-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'knetsim-isolated-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A child that starts a grandchild (in its process group), prints their pids, and hangs.
const HANG = `const { spawn } = require('node:child_process');
const g = spawn('sleep', ['300'], { stdio: 'ignore' });
console.log('pids', process.pid, g.pid);
setInterval(() => {}, 1000);`;

describe('runIsolated', () => {
  test('a hang is killed at its deadline with everything it started; a neighbour is unaffected', async () => {
    const [hang, ok] = await mapLimit(
      [
        { argv: [process.execPath, '-e', HANG], timeoutMs: 1_500 },
        { argv: [process.execPath, '-e', 'setTimeout(() => console.log("done"), 300)'], timeoutMs: 10_000 },
      ],
      2,
      (o) => runIsolated({ ...o, cwd: REPO_ROOT, logFile: join(tmp, `${o.timeoutMs}.log`) }),
    );
    expect(hang).toMatchObject({ timedOut: true, exitCode: null });
    const pids = /pids (\d+) (\d+)/.exec(hang!.outputTail)!.slice(1).map(Number);
    expect(pids.map(isAlive)).toEqual([false, false]);
    expect(ok).toMatchObject({ timedOut: false, exitCode: 0, outputTail: 'done' });
  });

  test('its own state folder: runs left in it are cleaned (knetsim clean RUN) and the folder removed', async () => {
    const state = join(tmp, 'state');
    mkdirSync(join(state, 'zz99'), { recursive: true });
    const r = await runIsolated({ argv: [process.execPath, '-e', 'console.log(process.env.KNETSIM_STATE_DIR)'], cwd: REPO_ROOT, timeoutMs: 10_000, stateDir: state, logFile: join(tmp, 's.log') });
    expect(r.outputTail).toBe(state);
    expect(r.cleaned).toEqual(['zz99']);
    expect(existsSync(state)).toBe(false);
  }, 60_000);
});
