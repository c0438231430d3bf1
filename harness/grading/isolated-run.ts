import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_ID_PATTERN } from '../sys/run-dir.ts';
import { TEMP_PREFIX } from '../sys/temp-dir.ts';
import { groupDeadline, type GroupDeadline } from '../sys/group-deadline.ts';

/** The knetsim command, run by node (tsx loader inside). */
export const KNETSIM_BIN = fileURLToPath(new URL('../../bin/knetsim.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3_000;
/** Deadline for `knetsim clean` of one leftover run. */
const CLEAN_TIMEOUT_MS = 60_000;

export interface IsolatedRunOptions {
  argv: readonly string[];
  cwd: string;
  /** Added to the environment; KNETSIM_STATE_DIR is set to stateDir. */
  env?: Record<string, string>;
  timeoutMs: number;
  /**
   * This child's own state root: everything it builds lives (and is cleaned) there. Default:
   * a new folder in the system's temp dir, kept short because etcd's unix sockets live in it
   * (a socket path has at most 107 bytes).
   */
  stateDir?: string;
  /** stdout and stderr of the child go here. */
  logFile: string;
}

export interface IsolatedRunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of the child's output. */
  outputTail: string;
  /** Runs that the child left behind and `knetsim clean` removed. */
  cleaned: string[];
}

/**
 * Runs a program in a process group of its own with a deadline. On timeout the whole group
 * gets SIGTERM, then SIGKILL; whatever simulations it left in its state folder are removed
 * by `knetsim clean RUN` (with that state folder), so one child's hang or crash never
 * touches another child, or the caller.
 */
export async function runIsolated(o: IsolatedRunOptions): Promise<IsolatedRunResult> {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}state-`));
  mkdirSync(stateDir, { recursive: true });
  try {
    return await runInGroup(o, stateDir);
  } catch (e) {
    await cleanStateDir(stateDir); // the state folder goes whatever happened
    throw e;
  }
}

async function runInGroup(o: IsolatedRunOptions, stateDir: string): Promise<IsolatedRunResult> {
  mkdirSync(dirname(o.logFile), { recursive: true });
  const out = openSync(o.logFile, 'w');
  const started = Date.now();
  const [cmd, ...args] = o.argv;
  let deadline: GroupDeadline | undefined;
  const exit = await new Promise<{ code: number | null; signal: string | null }>((done) => {
    const child = spawn(cmd!, args, {
      cwd: o.cwd,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...o.env, KNETSIM_STATE_DIR: stateDir },
    });
    const group = groupDeadline(child.pid, o.timeoutMs, KILL_GRACE_MS);
    deadline = group;
    child.on('error', () => {
      group.end();
      done({ code: null, signal: 'spawn error' });
    });
    child.on('exit', (code, signal) => {
      // Anything the child started in its group and left running goes with it.
      group.end();
      done({ code, signal });
    });
  });
  closeSync(out);
  const cleaned = await cleanStateDir(stateDir);
  const text = existsSync(o.logFile) ? readFileSync(o.logFile, 'utf8') : '';
  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut: deadline?.timedOut ?? false,
    durationMs: Date.now() - started,
    outputTail: text.trimEnd().split('\n').slice(-40).join('\n'),
    cleaned,
  };
}

/** `knetsim clean RUN` for every run in a state folder (never `clean` without a run: it would see other folders' namespaces as dead). */
export async function cleanStateDir(stateDir: string): Promise<string[]> {
  if (!existsSync(stateDir)) return [];
  const runs = readdirSync(stateDir).filter((d) => RUN_ID_PATTERN.test(d));
  for (const run of runs) await knetsimClean(stateDir, [run]);
  rmSync(stateDir, { recursive: true, force: true });
  return runs;
}

/**
 * Plain `knetsim clean` in a state folder others share: only runs whose owner is gone (and
 * not detached); what it removes is said on this process's output.
 */
export function cleanDeadRuns(stateDir: string): Promise<void> {
  return knetsimClean(stateDir, [], 'inherit');
}

/** `knetsim clean ARGS` with that state folder, killed if it takes longer than CLEAN_TIMEOUT_MS. */
function knetsimClean(stateDir: string, args: string[], stdio: 'ignore' | 'inherit' = 'ignore'): Promise<void> {
  return new Promise<void>((done) => {
    const child = spawn(process.execPath, [KNETSIM_BIN, 'clean', ...args], {
      cwd: REPO_ROOT,
      stdio,
      env: { ...process.env, KNETSIM_STATE_DIR: stateDir },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLEAN_TIMEOUT_MS);
    child.on('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.on('error', () => {
      clearTimeout(timer);
      done();
    });
  });
}
