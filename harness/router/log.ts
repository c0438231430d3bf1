/**
 * Structured router log: one JSON object per line ({ts, level, module, event, ...fields})
 * to a file or stderr. Levels and the `enable` syntax ("info+", "debug", "none") follow
 * skrouterd's log entity.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export const LEVELS = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export interface LogSink {
  write(line: string): void;
  close(): Promise<void>;
}

/** Minimum level from an enable string; `undefined` means "none". */
export function parseEnable(enable: string | undefined): Level | undefined {
  if (enable === undefined || enable === 'default') return 'info';
  if (enable === 'none' || enable === '') return undefined;
  const first = enable.split(',')[0]!.trim().replace(/\+$/, '');
  return (LEVELS as readonly string[]).includes(first) ? (first as Level) : 'info';
}

export function fileSink(path: string): LogSink {
  const s: WriteStream = createWriteStream(path, { flags: 'a' });
  return {
    write: (line) => void s.write(line),
    close: () => new Promise((resolve) => s.end(() => resolve())),
  };
}

/** Where an outputFile sends lines: a file, or stderr (unset or "stderr"); nowhere at level none. */
export function sinkOf(level: Level | undefined, outputFile: string | undefined): LogSink {
  if (level === undefined) return nullSink;
  return outputFile && outputFile !== 'stderr' ? fileSink(outputFile) : stderrSink;
}

export const stderrSink: LogSink = { write: (line) => void process.stderr.write(line), close: async () => {} };
export const nullSink: LogSink = { write: () => {}, close: async () => {} };

export class RouterLog {
  constructor(
    private sink: LogSink,
    private minLevel: Level | undefined = 'info',
    private readonly base: Record<string, unknown> = {},
  ) {}

  /** A management UPDATE of the log: a new level, and a new sink (the old one is closed). */
  reconfigure(level: Level | undefined, sink?: LogSink): void {
    this.minLevel = level;
    if (sink && sink !== this.sink) {
      void this.sink.close();
      this.sink = sink;
    }
  }

  log(level: Level, module: string, event: string, fields: Record<string, unknown> = {}): void {
    if (this.minLevel === undefined || LEVELS.indexOf(level) < LEVELS.indexOf(this.minLevel)) return;
    this.sink.write(JSON.stringify({ ts: new Date().toISOString(), level, module, event, ...this.base, ...fields }) + '\n');
  }
  debug(module: string, event: string, fields?: Record<string, unknown>): void { this.log('debug', module, event, fields); }
  info(module: string, event: string, fields?: Record<string, unknown>): void { this.log('info', module, event, fields); }
  warn(module: string, event: string, fields?: Record<string, unknown>): void { this.log('warning', module, event, fields); }
  error(module: string, event: string, fields?: Record<string, unknown>): void { this.log('error', module, event, fields); }
  close(): Promise<void> { return this.sink.close(); }
}
