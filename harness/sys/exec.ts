import { execa, type ExecaError } from 'execa';
import { ProcessError } from './errors.ts';

export interface RunOptions {
  /** Run inside this network namespace (`ip netns exec NAME ...`). */
  netns?: string | undefined;
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  /** Kill after this long (SIGTERM, then SIGKILL after a grace period). */
  timeoutMs?: number;
  /** When false, a non-zero exit is returned instead of thrown. Default true. */
  reject?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  command: string;
  netns?: string | undefined;
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** The argv that runs `argv` inside `netns` (or `argv` itself). */
export function inNetns(netns: string | undefined, argv: readonly string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}

/** Runs a program by argv (never through a shell). Throws ProcessError on failure. */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const full = inNetns(opts.netns, argv);
  const [file, ...args] = full;
  if (!file) throw new TypeError('run(): argv is empty');
  const started = performance.now();
  try {
    const r = await execa(file, args, {
      env: opts.env,
      cwd: opts.cwd,
      input: opts.input,
      timeout: opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
      forceKillAfterDelay: 2_000,
      cancelSignal: opts.signal,
      reject: opts.reject ?? true,
      stripFinalNewline: false,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
    });
    return {
      command: formatArgv(argv),
      netns: opts.netns,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      exitCode: r.exitCode ?? -1,
      durationMs: performance.now() - started,
    };
  } catch (e) {
    const err = e as ExecaError;
    throw new ProcessError(
      {
        command: formatArgv(argv),
        netns: opts.netns,
        exitCode: err.exitCode,
        signal: err.signal,
        timedOut: err.timedOut,
        stdout: String(err.stdout ?? ''),
        stderr: String(err.stderr ?? ''),
        durationMs: performance.now() - started,
        reason: describeFailure(err),
      },
      { cause: e },
    );
  }
}

function describeFailure(err: ExecaError): string {
  if (err.timedOut) return `command timed out after ${Math.round(err.durationMs ?? 0)} ms`;
  if (err.isCanceled) return 'command was cancelled';
  if (err.signal) return `command was killed with ${err.signal}`;
  if (err.exitCode !== undefined) return `command failed with exit code ${err.exitCode}`;
  return `command could not start (${err.code ?? err.shortMessage})`;
}

/** A readable, copy-pasteable rendering of an argv (for messages only, never executed). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
