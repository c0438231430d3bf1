import { z } from 'zod';
import { ValidationError } from '../../sys/errors.ts';

/** The interface a capture listens on when none is given: a worker's or pod's uplink. */
export const DEFAULT_CAPTURE_IFACE = 'eth0';
/** Deadline for tcpdump to say it is listening. */
export const CAPTURE_READY_TIMEOUT_MS = 10_000;

/** What users pass to `worker.capture()`, `pod.capture()`, `captureIn()`. */
export const CaptureOptionsSchema = z
  .object({
    /** Interface name (`eth0`, `flannel.100`, `br-C0`, `C0w1`) or `any`. */
    iface: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,14}$/, 'must be an interface name (at most 15 characters) or "any"')
      .default(DEFAULT_CAPTURE_IFACE),
    /** A BPF filter expression, passed to tcpdump as one argument (never through a shell). */
    filter: z
      .string()
      .max(4096)
      .refine((s) => !s.includes('\0'), 'must not contain NUL')
      .optional(),
    /** Bytes kept of each packet (`-s`); 0 means tcpdump's default (262144). */
    snaplen: z.number().int().min(0).max(262_144).optional(),
    /** Stop after this many packets (`-c`). */
    count: z.number().int().min(1).max(100_000_000).optional(),
    /** A word for the file name and messages; defaults to the namespace and interface. */
    label: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be letters, digits, dots, colons, dashes or underscores')
      .optional(),
    /** Deadline for tcpdump to say it is listening. */
    readyTimeoutMs: z.number().int().positive().default(CAPTURE_READY_TIMEOUT_MS),
  })
  .strict();

export type CaptureOptions = z.input<typeof CaptureOptionsSchema>;
export type ResolvedCaptureOptions = z.output<typeof CaptureOptionsSchema>;

/** Validates capture options at the boundary; the error names the field and the reason. */
export function parseCaptureOptions(opts: CaptureOptions = {}, source = 'capture options'): ResolvedCaptureOptions {
  const r = CaptureOptionsSchema.safeParse(opts);
  if (!r.success) {
    throw new ValidationError(source, r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return r.data;
}

/**
 * tcpdump's argv: packet-buffered (`-U`) and unbuffered by the kernel (`--immediate-mode`),
 * so every packet seen before `stop()` is in the file; `-Z root` keeps the file writable
 * wherever the run directory is. `file` may be `-` (stdout).
 */
export function tcpdumpArgv(opts: Omit<ResolvedCaptureOptions, 'label' | 'readyTimeoutMs'>, file: string): string[] {
  const argv = ['tcpdump', '-n', '-i', opts.iface, '-U', '--immediate-mode', '-Z', 'root', '-w', file];
  if (opts.snaplen !== undefined) argv.push('-s', String(opts.snaplen));
  if (opts.count !== undefined) argv.push('-c', String(opts.count));
  // After `--`, a filter is never read as an option, whatever it starts with.
  if (opts.filter !== undefined && opts.filter.trim() !== '') argv.push('--', opts.filter);
  return argv;
}
