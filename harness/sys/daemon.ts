import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { DaemonError, tailLines } from './errors.ts';
import { inNetns } from './exec.ts';
import type { Ledger } from './ledger.ts';
import { isAlive, processStartTime, terminate } from './proc.ts';
import { notYet, ready, waitFor } from './wait.ts';

export interface DaemonSpec {
  /** Who this is, for messages: "etcd C0-e1", "flanneld C0w1". */
  name: string;
  argv: readonly string[];
  netns?: string;
  logFile: string;
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * A long-running program, started in its namespace with stdout and stderr appended to
 * a log file in the run directory, recorded in the ledger. It runs in a process group
 * of its own, so it outlives the harness only when the run is detached.
 */
export class Daemon {
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    readonly spec: DaemonSpec,
    readonly pid: number,
    private readonly child: ChildProcess | undefined,
  ) {
    child?.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
  }

  static start(ledger: Ledger, spec: DaemonSpec): Daemon {
    const argv = inNetns(spec.netns, spec.argv);
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      if (child.pid === undefined) {
        throw new DaemonError(spec.name, spec.logFile, `could not start ${argv[0]}`, '');
      }
      ledger.record({ kind: 'process', name: spec.name, pid: child.pid, startTime: processStartTime(child.pid) ?? '?' });
      child.unref();
      return new Daemon(spec, child.pid, child);
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.exit === undefined && isAlive(this.pid);
  }

  /** Throws a DaemonError (with the log tail) if the daemon has exited. For readiness probes. */
  assertRunning(): void {
    if (this.running) return;
    const how = this.exit
      ? this.exit.signal
        ? `killed by ${this.exit.signal}`
        : `exited with code ${this.exit.code}`
      : 'is no longer running';
    throw this.error(how);
  }

  error(reason: string): DaemonError {
    return new DaemonError(this.spec.name, this.spec.logFile, reason, this.logTail());
  }

  logTail(lines = 20): string {
    try {
      return tailLines(readFileSync(this.spec.logFile, 'utf8'), lines);
    } catch {
      return '(no log)';
    }
  }

  /**
   * Sends `signal` (default SIGKILL: a crash, no clean-up) and waits until the process is
   * gone. For fault injection. Idempotent.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 5_000): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      /* already gone */
    }
    await waitFor(`${this.spec.name} (pid ${this.pid}) to exit after ${signal}`, async () => (this.running ? notYet('still running') : ready(undefined)), {
      timeoutMs,
    });
  }

  /** SIGTERM, then SIGKILL after graceMs. Idempotent. */
  async stop(graceMs = 3_000): Promise<void> {
    await terminate([this.pid], graceMs);
  }
}
