import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * A process whose output lines are timestamped (ms since spawn): benchmarks wait for a
 * line and read when it came. stdout and stderr are both watched.
 */
export class TimedProcess {
  readonly lines: { ms: number; text: string }[] = [];
  readonly t0 = performance.now();
  private readonly child: ChildProcessWithoutNullStreams;
  private exit: number | null | undefined;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  constructor(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: 'pipe' });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => {
        const ms = performance.now() - this.t0;
        const parts = (partial + d).split('\n');
        partial = parts.pop()!;
        for (const text of parts) this.lines.push({ ms, text });
        // A prompt comes without a newline.
        if (partial) this.lines.push({ ms, text: partial }), (partial = '');
        this.wake();
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.exit = code;
        this.wake();
        resolve(code);
      }),
    );
    this.child.stdin.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** When the first line matching `re` came (ms since spawn); throws with the output's tail if the process ends first or the deadline passes. */
  async waitLine(re: RegExp, timeoutMs: number, what = re.source): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l.text));
      if (hit) return hit.ms;
      if (this.exit !== undefined) throw new Error(`${what}: the process exited (${this.exit}) first; output:\n${this.tail()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${what}: not seen within ${timeoutMs} ms; output:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const w = () => {
          this.waiters.delete(w);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(w, left);
        this.waiters.add(w);
      });
    }
  }

  /** ms since spawn at which the process exited (waits up to timeoutMs, then SIGKILLs it). */
  async waitExit(timeoutMs: number): Promise<number> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
    return performance.now() - this.t0;
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exit === undefined) this.child.kill(signal);
  }

  tail(n = 15): string {
    return this.lines.slice(-n).map((l) => `  ${l.text}`).join('\n');
  }
}
