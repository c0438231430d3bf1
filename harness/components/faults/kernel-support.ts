import { MissingDependencyError } from '../../sys/errors.ts';
import { run } from '../../sys/exec.ts';

/**
 * The probe `knetsim doctor` runs for netem, and faults run before a delay: add a netem
 * qdisc to `lo` of a namespace (then remove it). One probe, so both say the same.
 */
export const NETEM_PROBE_ARGV: readonly string[] = ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'];
export const NETEM_FIX = 'load sch_netem (modprobe sch_netem); fault scenarios with delay/jitter need it';

/** A kernel feature a fault needs is not there; the message says so plainly. */
export class UnsupportedKernelFeatureError extends MissingDependencyError {
  override name = 'UnsupportedKernelFeatureError';
  constructor(
    readonly feature: string,
    /** What the probe said ("Error: Specified qdisc kind is unknown."). */
    readonly probeOutput: string,
    fix: string,
  ) {
    super(`kernel: ${feature}`, fix);
    this.message = `${feature} is not supported by this kernel (knetsim doctor reports it): ${probeOutput}; ${fix}`;
  }
}

export interface ProbeResult {
  supported: boolean;
  /** The probe's stderr when unsupported. */
  detail: string;
}

/** Runs the netem probe in `netns` (any namespace of ours; only its `lo` is touched). */
export async function probeNetem(netns: string): Promise<ProbeResult> {
  const r = await run(NETEM_PROBE_ARGV, { netns, reject: false, timeoutMs: 10_000 });
  if (r.exitCode !== 0) return { supported: false, detail: r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}` };
  await run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], { netns, reject: false });
  return { supported: true, detail: 'ok' };
}
