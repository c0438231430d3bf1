import { cpus, loadavg } from 'node:os';

/** The machine's load when a figure was taken ("load 1.20 0.95 0.80 on 2 cores"): benchmarks share the machine. */
export function loadAverage(): string {
  return `load ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`;
}
