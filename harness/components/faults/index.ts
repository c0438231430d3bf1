export { Fault, type FaultKind, type FaultSpec, type FaultContext } from './fault.ts';
export { Faults, FaultConflictError, type FaultHost, type LinkTarget, type RestartableProcess } from './faults.ts';
export { UnsupportedKernelFeatureError, NETEM_PROBE_ARGV, NETEM_FIX, probeNetem, type ProbeResult } from './kernel-support.ts';
export { rateBits, type Direction, type LossOptions, type RateOptions, type DelayOptions, type MtuOptions } from './fault-options.ts';
export type { FaultWorker, FaultCluster } from './targets.ts';
export { measureRecovery, RECOVERY_TIMEOUT_MS, type Recovery } from './recovery.ts';
