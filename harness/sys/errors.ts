/**
 * One error hierarchy for the whole harness. Every error says what happened in its
 * message and keeps the facts a caller may act on as fields.
 */

export class HarnessError extends Error {
  override name = 'HarnessError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that cannot work: a topology, config, service or name. Nothing was created. */
export class ValidationError extends HarnessError {
  override name = 'ValidationError';
  constructor(
    /** Where the input came from: a file path or an API name. */
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      `invalid ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** A deadline passed while awaiting something; says what was awaited and what was last seen. */
export class TimeoutError extends HarnessError {
  override name = 'TimeoutError';
  constructor(
    readonly awaited: string,
    readonly timeoutMs: number,
    readonly lastSeen: string,
    options?: { cause?: unknown },
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${awaited}; last seen: ${lastSeen}`, options);
  }
}

/** A program exited badly. Carries execa's fields plus the namespace it ran in. */
export class ProcessError extends HarnessError {
  override name = 'ProcessError';
  constructor(
    readonly details: {
      command: string;
      netns?: string | undefined;
      exitCode?: number | undefined;
      signal?: string | undefined;
      timedOut?: boolean;
      stdout: string;
      stderr: string;
      durationMs?: number | undefined;
      reason: string;
    },
    options?: { cause?: unknown },
  ) {
    const where = details.netns ? ` in netns ${details.netns}` : '';
    const tail = tailLines(details.stderr || details.stdout, 12);
    super(`${details.reason}${where}: ${details.command}${tail ? `\n${tail}` : ''}`, options);
  }
}

/** A daemon died or never became ready; the message ends with the tail of its log. */
export class DaemonError extends HarnessError {
  override name = 'DaemonError';
  constructor(
    readonly daemon: string,
    readonly logFile: string,
    reason: string,
    logTail: string,
    options?: { cause?: unknown },
  ) {
    super(`${daemon}: ${reason}\n--- last lines of ${logFile} ---\n${logTail}`, options);
  }
}

/** A required program or kernel feature is missing; says how to get it. */
export class MissingDependencyError extends HarnessError {
  override name = 'MissingDependencyError';
  constructor(
    readonly what: string,
    readonly fix: string,
  ) {
    super(`${what} is missing: ${fix}`);
  }
}

export function tailLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}
